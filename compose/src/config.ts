/**
 * The one place the compose workspace reads `process.env`. Parsed once with zod; empty strings
 * count as unset (compose and CI pass empty variables); problems name the variable.
 */
import { z } from 'zod';
import { RightsizeError } from './errors.js';

const unsetIfEmpty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(unsetIfEmpty, z.string().optional());
const flag = z.preprocess(unsetIfEmpty, z.string().optional()).transform((v) => v !== undefined && !/^(0|false|no)$/i.test(v));

export const ComposeEnvSchema = z.object({
  /** Set by every CI system; a Docker test that finds no engine then fails instead of skipping. */
  CI: flag,
  /** Same effect as CI for the Docker tier, for local runs that must not skip. */
  RIGHTSIZE_REQUIRE_DOCKER: flag,
  /** testcontainers' reaper (Ryuk) image cannot be pulled without a registry: it must be off. */
  TESTCONTAINERS_RYUK_DISABLED: flag,
  /** docker CLI used for run/inspect/stats/compose v2 (default: `docker` on PATH). */
  RIGHTSIZE_DOCKER_BIN: optionalString,
  /** Force the compose CLI: `docker compose` or `docker-compose` (default: detect, v2 first). */
  RIGHTSIZE_COMPOSE: optionalString,
  /** A standalone Compose v2 binary that tests also run the stack with (next to the detected CLI). */
  RIGHTSIZE_COMPOSE_V2_BIN: optionalString,
  /** docker CLI used for BuildKit builds (needs `--secret`); default: detect. */
  RIGHTSIZE_BUILD_DOCKER_BIN: optionalString,
  /** Debian mirror for debootstrap; default: the first `URIs:` in /etc/apt/sources.list.d. */
  RIGHTSIZE_DEBIAN_MIRROR: optionalString,
  /** CA bundle handed to builds as a BuildKit secret (never a layer). */
  RIGHTSIZE_CA_BUNDLE: optionalString,
  /** Where recipes keep host-side caches (k6 binary, npm tarballs). Default: <repo>/.cache/images. */
  RIGHTSIZE_IMAGE_CACHE: optionalString,
  /** org.opencontainers.image.source of our images (CI passes the repository URL). */
  RIGHTSIZE_IMAGE_SOURCE: optionalString,
  /** Publishing: registry host (empty = Docker Hub), repository and credentials. */
  RIGHTSIZE_REGISTRY: optionalString,
  RIGHTSIZE_IMAGE_REPO: optionalString,
  RIGHTSIZE_REGISTRY_USER: optionalString,
  RIGHTSIZE_REGISTRY_PASSWORD: optionalString,
  DOCKERHUB_USERNAME: optionalString,
  DOCKERHUB_TOKEN: optionalString,
});
export type ComposeEnv = z.infer<typeof ComposeEnvSchema>;

export function parseComposeEnv(env: Record<string, string | undefined>): ComposeEnv {
  const parsed = ComposeEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new RightsizeError('CONFIG_ERR_INVALID', `invalid environment: ${problems}`, { issues: parsed.error.issues });
  }
  return Object.freeze(parsed.data);
}

let cached: ComposeEnv | undefined;
/** The process environment, parsed once and frozen. */
export function getComposeEnv(): ComposeEnv {
  cached ??= parseComposeEnv(process.env);
  return cached;
}
