/**
 * The one place the sweep reads process.env: parsed once with zod, empty strings count as
 * unset, every problem reported at once, frozen.
 */
import { z } from 'zod';
import { SweepError } from './errors.js';

const unsetIfEmpty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(unsetIfEmpty, z.string().optional());

export const SweepEnvSchema = z.object({
  /** where run folders go (default resource-sweeps/reports under the repository) */
  RIGHTSIZE_SWEEP_REPORTS: optionalString,
  /** root of the cgroup filesystem the sampler reads (default /sys/fs/cgroup) */
  RIGHTSIZE_CGROUP_ROOT: optionalString,
  /** compose file(s) of the stack under test, comma-separated (default compose/docker-compose.yml) */
  RIGHTSIZE_SWEEP_COMPOSE_FILES: optionalString,
  /** bearer token of the live page/API (`serve`, `--serve`); required to bind beyond loopback */
  RIGHTSIZE_SWEEP_TOKEN: optionalString,
  /** no colours and no in-place progress line (also when stdout is not a terminal) */
  NO_COLOR: optionalString,
});
export type SweepEnv = z.infer<typeof SweepEnvSchema>;

export function parseSweepEnv(env: Record<string, string | undefined>): SweepEnv {
  const parsed = SweepEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new SweepError('SWEEP_ERR_ARGS', 'invalid environment', { details: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
  }
  return Object.freeze(parsed.data);
}

let cached: SweepEnv | undefined;
export function getSweepEnv(): SweepEnv {
  cached ??= parseSweepEnv(process.env);
  return cached;
}
