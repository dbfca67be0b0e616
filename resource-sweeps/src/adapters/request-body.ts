/**
 * What a request to the API under test looks like, per protocol: our `POST /predict` takes one
 * row of named features; `mlflow models serve` takes `POST /invocations` with
 * `{"dataframe_records": [row]}`. The bodies themselves are the load runner's (every request,
 * warm-up included, goes through it).
 */
import { DEFAULT_PATHS } from '@rightsize/loadtest/protocol';
import type { Target } from '../plan/plan-schema.js';

/** the same route and body the load runner sends for the protocol (one definition, in loadtest) */
export function requestPath(protocol: Target['protocol']): string {
  return DEFAULT_PATHS[protocol];
}
