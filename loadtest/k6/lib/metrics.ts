/**
 * The scripts' own metrics. k6's built-ins cover requests and latency; these add what the
 * summary needs and k6 does not split: failures by class, the SLO samples that may abort the
 * run, iterations started per step (to place the open model's dropped iterations) and the
 * Poisson scenario's own drops. Every sample carries the `step` tag.
 */
import { Counter, Trend } from 'k6/metrics';

export const METRIC = {
  err4xx: 'rs_errors_4xx',
  err5xx: 'rs_errors_5xx',
  errTimeout: 'rs_errors_timeout',
  errConnection: 'rs_errors_connection',
  sloLatency: 'rs_slo_latency',
  started: 'rs_started',
  dropped: 'rs_dropped',
} as const;

export const err4xx = new Counter(METRIC.err4xx);
export const err5xx = new Counter(METRIC.err5xx);
export const errTimeout = new Counter(METRIC.errTimeout);
export const errConnection = new Counter(METRIC.errConnection);
/**
 * request durations during each step's hold after its warm-up: what the latency abort
 * thresholds judge. (The error-rate objective uses k6's own http_req_failed per step: a second
 * custom Rate on every request measurably cut a VU's request rate.)
 */
export const sloLatency = new Trend(METRIC.sloLatency, true);
/** arrival: iterations started per step; expected minus started places k6's dropped iterations */
export const started = new Counter(METRIC.started);
/** poisson: arrivals not sent because the stream already had its maximum in flight */
export const dropped = new Counter(METRIC.dropped);
