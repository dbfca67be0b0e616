/**
 * GET /stats/requests in Locust's shape (pure), so a script that polls Locust every couple of
 * seconds keeps working: state, user_count, total_rps, fail_ratio,
 * current_response_time_percentiles, stats[] rows (the endpoint and "Aggregated"), errors.
 *
 * Where our numbers differ from Locust's, honestly: counts and rates are integrated from the
 * load runner's per-second rates; percentiles come only from FINISHED steps (the runner's live
 * progress has none), so during the first step they are null, and "current" means the last
 * finished step of this run. Row percentiles over a whole run are the largest step percentile:
 * an upper bound, never an underestimate (see live-stats.ts).
 */
import type { LiveStats, StepLatency } from './live-stats.js';
import type { Snapshot } from './live-view.js';
import type { StatsRequests } from './schemas.js';

export interface RunInfo {
  kind: 'sweep' | 'swarm';
  id: string;
  started_at_ms: number;
  label: string;
  /** the endpoint the load hits */
  method: string;
  name: string;
}

const LATENCY_SOURCE =
  'percentiles come from the load runner: while a step runs, current_response_time_percentiles p95 is that step\'s p95 so far (k6\'s step sub-metric, Locust\'s step histogram); otherwise, and for p50 and the rows, they come from finished load steps (exact per step: the load summary), null until a step of this run has finished. Row percentiles are the largest step percentile (an upper bound). Windows give the request-weighted mean and that bound.';

export function buildStatsRequests(input: { view: Snapshot; stats: LiveStats; run: RunInfo | null; nowMs: number }): StatsRequests {
  const { view, stats, run, nowMs } = input;
  const totals = stats.totals();
  const elapsedS = run ? Math.max((nowMs - run.started_at_ms) / 1000, 1e-3) : 0;
  const running = view.state === 'running' || view.state === 'spawning';
  const current = running ? stats.current(nowMs) : { rps: 0, failed_per_s: 0, users: 0, step_p95_ms: null };
  const steps: StepLatency[] = run ? stats.stepsSince(run.started_at_ms) : [];
  const last = steps[steps.length - 1];
  const counted = steps.filter((s) => s.requests > 0);
  const upper = (pick: (s: StepLatency) => number) => (counted.length ? Math.max(...counted.map(pick)) : null);
  const requests = Math.round(totals.requests);
  const failures = Math.round(totals.failures);
  const totalRps = run ? totals.requests / elapsedS : 0;
  const totalFail = run ? totals.failures / elapsedS : 0;
  const row = (method: string, name: string) => ({
    method,
    name,
    safe_name: name,
    num_requests: requests,
    num_failures: failures,
    avg_response_time: null,
    min_response_time: null,
    max_response_time: upper((s) => s.max_ms),
    median_response_time: upper((s) => s.p50_ms),
    'response_time_percentile_0.95': upper((s) => s.p95_ms),
    'response_time_percentile_0.99': upper((s) => s.p99_ms),
    current_rps: current.rps,
    current_fail_per_sec: current.failed_per_s,
    total_rps: totalRps,
    total_fail_per_sec: totalFail,
    avg_content_length: null,
  });
  return {
    state: view.state,
    user_count: current.users,
    total_rps: totalRps,
    total_fail_per_sec: totalFail,
    current_rps: current.rps,
    current_fail_per_sec: current.failed_per_s,
    fail_ratio: totals.requests > 0 ? totals.failures / totals.requests : 0,
    current_response_time_percentiles: { 'response_time_percentile_0.5': last?.p50_ms ?? null, 'response_time_percentile_0.95': current.step_p95_ms ?? last?.p95_ms ?? null },
    stats: run ? [row(run.method, run.name), row('', 'Aggregated')] : [],
    errors: [],
    windows: stats.windows(nowMs),
    latency_source: LATENCY_SOURCE,
    run: run ? { kind: run.kind, id: run.id, started_at: new Date(run.started_at_ms).toISOString(), label: run.label } : null,
  };
}
