/**
 * The one place the load workspace reads `process.env`: parsed once with zod, frozen; empty
 * strings count as unset; every problem is reported at once, naming the variable.
 */
import { z } from 'zod';
import { LoadError } from './errors.js';

const unsetIfEmpty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(unsetIfEmpty, z.string().optional());

export const LoadEnvSchema = z.object({
  /** local k6 binary; default: `k6` on PATH, then ~/go/bin/k6 (where `go install` puts it) */
  RIGHTSIZE_K6_BIN: optionalString,
  /** k6 image for the container runtime, as compose pins it */
  RIGHTSIZE_K6_IMAGE: z.preprocess(unsetIfEmpty, z.string().default('grafana/k6:1.8.1')),
  /** local `locust` executable; default: `locust` on PATH */
  RIGHTSIZE_LOCUST_BIN: optionalString,
  RIGHTSIZE_LOCUST_IMAGE: z.preprocess(unsetIfEmpty, z.string().default('locustio/locust:2.47.0')),
  /** where `npm run images` keeps the k6 binary it builds (a fallback local k6); default <repo>/.cache/images */
  RIGHTSIZE_IMAGE_CACHE: optionalString,
  /** where runs write their folders; default loadtest/results under the repository */
  RIGHTSIZE_LOAD_RESULTS: optionalString,
  HOME: optionalString,
  PATH: optionalString,
});
export type LoadEnv = z.infer<typeof LoadEnvSchema>;

export function parseLoadEnv(env: Record<string, string | undefined>): LoadEnv {
  const parsed = LoadEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new LoadError('LOAD_ERR_BAD_ENV', `invalid environment:\n  ${problems.join('\n  ')}`);
  }
  return Object.freeze(parsed.data);
}

let cached: LoadEnv | undefined;
export function getLoadEnv(): LoadEnv {
  cached ??= parseLoadEnv(process.env);
  return cached;
}
