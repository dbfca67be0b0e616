// What route plugins receive: everything is built once at startup and shared.
import type { Config } from './config.js';
import type { Admission, ServerState } from './inference/admission.js';
import type { Inference } from './inference/batcher.js';
import type { OverloadLimits } from './overload.js';
import type { Sizing } from './limits.js';
import type { Metrics } from './metrics/metrics.js';
import type { LoadedModel } from './model/load-model.js';

export interface AppContext {
  config: Readonly<Config>;
  sizing: Sizing;
  /** the bounds on waiting this process applies (MAX_INFLIGHT, backlog, connections, request timeout) */
  overload: OverloadLimits;
  model: LoadedModel;
  inference: Inference;
  admission: Admission;
  metrics: Metrics;
  state: ServerState;
}
