/**
 * The one place the load workspace reads `process.env`: parsed once with zod, frozen; empty
 * strings count as unset; every problem is reported at once, naming the variable.
 */
import { createEnvReader, envString, envStringOr } from '@rightsize/compose/kit/env';
import { z } from 'zod';
import { LoadError } from './errors.js';

export const LoadEnvSchema = z.object({
  /** local k6 binary; default: `k6` on PATH, then ~/go/bin/k6 (where `go install` puts it) */
  RIGHTSIZE_K6_BIN: envString,
  /** k6 image for the container runtime, as compose pins it */
  RIGHTSIZE_K6_IMAGE: envStringOr('grafana/k6:1.8.1'),
  /** local `locust` executable; default: `locust` on PATH */
  RIGHTSIZE_LOCUST_BIN: envString,
  RIGHTSIZE_LOCUST_IMAGE: envStringOr('locustio/locust:2.47.0'),
  /** the pacer's container: the Node 24 image the API is built from (the scripts are mounted) */
  RIGHTSIZE_PACER_IMAGE: envStringOr('node:24-bookworm-slim'),
  /** where `npm run images` keeps the k6 binary it builds (a fallback local k6); default <repo>/.cache/images */
  RIGHTSIZE_IMAGE_CACHE: envString,
  /** where runs write their folders; default loadtest/results under the repository */
  RIGHTSIZE_LOAD_RESULTS: envString,
  HOME: envString,
  PATH: envString,
});

/** A bad value is LOAD_ERR_BAD_ENV, naming every variable. */
const reader = createEnvReader(LoadEnvSchema, { onError: (problems) => new LoadError('LOAD_ERR_BAD_ENV', `invalid environment:\n  ${problems.join('\n  ')}`) });

export type LoadEnv = z.infer<typeof LoadEnvSchema>;
export const parseLoadEnv = reader.parse;
/** The process environment, parsed once and frozen. */
export const getLoadEnv = reader.get;
