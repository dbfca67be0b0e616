/**
 * The one place the sweep reads process.env: parsed once with zod, empty strings count as
 * unset, every problem reported at once, frozen.
 */
import { createEnvReader, envString } from '@rightsize/compose/kit/env';
import { z } from 'zod';
import { SweepError } from './errors.js';

export const SweepEnvSchema = z.object({
  /** where run folders go (default resource-sweeps/reports under the repository) */
  RIGHTSIZE_SWEEP_REPORTS: envString,
  /** root of the cgroup filesystem the sampler reads (default /sys/fs/cgroup) */
  RIGHTSIZE_CGROUP_ROOT: envString,
  /** compose file(s) of the stack under test, comma-separated (default compose/docker-compose.yml) */
  RIGHTSIZE_SWEEP_COMPOSE_FILES: envString,
  /** bearer token of the live page/API (`serve`, `--serve`); required to bind beyond loopback */
  RIGHTSIZE_SWEEP_TOKEN: envString,
  /** `1`: a `runtime: swarm` sweep may enter swarm mode itself when the engine is not in it (and leaves it afterwards); `--swarm-init` does the same */
  RIGHTSIZE_SWARM_INIT: envString,
  /** no colours and no in-place progress line (also when stdout is not a terminal) */
  NO_COLOR: envString,
});

/** A bad value is SWEEP_ERR_ARGS, naming every variable. */
const reader = createEnvReader(SweepEnvSchema, { onError: (problems) => new SweepError('SWEEP_ERR_ARGS', 'invalid environment', { details: problems }) });

export type SweepEnv = z.infer<typeof SweepEnvSchema>;
export const parseSweepEnv = reader.parse;
/** The process environment, parsed once and frozen. */
export const getSweepEnv = reader.get;
