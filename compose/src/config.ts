/**
 * The one place the compose workspace reads `process.env`. Parsed once with zod; empty strings
 * count as unset (compose and CI pass empty variables); problems name the variable.
 */
import { z } from 'zod';
import { RightsizeError } from './errors.js';
import { createEnvReader, envFlag, envString } from './kit/env.js';

export const ComposeEnvSchema = z.object({
  /** Set by every CI system; a Docker test that finds no engine then fails instead of skipping. */
  CI: envFlag,
  /** Same effect as CI for the Docker tier, for local runs that must not skip. */
  RIGHTSIZE_REQUIRE_DOCKER: envFlag,
  /** testcontainers' reaper (Ryuk) image cannot be pulled without a registry: it must be off. */
  TESTCONTAINERS_RYUK_DISABLED: envFlag,
  /** docker CLI used for run/inspect/stats/compose v2 (default: `docker` on PATH). */
  RIGHTSIZE_DOCKER_BIN: envString,
  /** Force the compose CLI: `docker compose` or `docker-compose` (default: detect, v2 first). */
  RIGHTSIZE_COMPOSE: envString,
  /** A standalone Compose v2 binary that tests also run the stack with (next to the detected CLI). */
  RIGHTSIZE_COMPOSE_V2_BIN: envString,
  /** docker CLI used for BuildKit builds (needs `--secret`); default: detect. */
  RIGHTSIZE_BUILD_DOCKER_BIN: envString,
  /** Debian mirror for debootstrap; default: the first `URIs:` in /etc/apt/sources.list.d. */
  RIGHTSIZE_DEBIAN_MIRROR: envString,
  /** CA bundle handed to builds as a BuildKit secret (never a layer). */
  RIGHTSIZE_CA_BUNDLE: envString,
  /** Where recipes keep host-side caches (k6 binary, npm tarballs). Default: <repo>/.cache/images. */
  RIGHTSIZE_IMAGE_CACHE: envString,
  /** org.opencontainers.image.source of our images (CI passes the repository URL). */
  RIGHTSIZE_IMAGE_SOURCE: envString,
  /** Publishing: registry host (empty = Docker Hub), repository and credentials. */
  RIGHTSIZE_REGISTRY: envString,
  RIGHTSIZE_IMAGE_REPO: envString,
  RIGHTSIZE_REGISTRY_USER: envString,
  RIGHTSIZE_REGISTRY_PASSWORD: envString,
  DOCKERHUB_USERNAME: envString,
  DOCKERHUB_TOKEN: envString,
});

/** A bad value is CONFIG_ERR_INVALID, naming every variable. */
const reader = createEnvReader(ComposeEnvSchema, { onError: (problems, issues) => new RightsizeError('CONFIG_ERR_INVALID', `invalid environment: ${problems.join('; ')}`, { issues }) });

export type ComposeEnv = z.infer<typeof ComposeEnvSchema>;
export const parseComposeEnv = reader.parse;
/** The process environment, parsed once and frozen. */
export const getComposeEnv = reader.get;
