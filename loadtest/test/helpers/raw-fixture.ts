/** Synthetic engine results for the pure summary tests: a step schedule, and per-step numbers to taste. */
import { buildSchedule, type ScheduleInput } from '../../k6/lib/schedule.js';
import { RAW_SCHEMA_ID, type RawResult, type RawStep } from '../../src/raw-schema.js';

export function latency(p95: number, count: number) {
  return { avg: p95 / 2, p50: p95 / 2, p90: p95 * 0.9, p95, p99: p95 * 1.2, max: p95 * 1.5, count };
}

export function rawStep(index: number, requests: number, over: Partial<RawStep> = {}): RawStep {
  return {
    index,
    requests,
    latency: latency(20, requests),
    failed: 0,
    errors: { http4xx: 0, http5xx: 0, timeouts: 0, connection: 0 },
    checks: { passes: Math.floor(requests / 20), fails: 0 },
    started: null,
    dropped: null,
    slo_latency: latency(20, Math.floor(requests * 0.8)),
    slo_error_rate: 0,
    ...over,
  };
}

export function rawResult(opts: { plan?: Partial<ScheduleInput>; steps: RawStep[]; runMs?: number; dropped?: number; failed?: RawResult['failed_thresholds'] }): RawResult {
  const schedule = buildSchedule({ scenario: 'steps', startUsers: 10, maxUsers: 30, stepUsers: 10, rates: [], rampS: 2, holdS: 8, thinkMinS: 1, thinkMaxS: 2.5, ...opts.plan });
  const requests = opts.steps.reduce((a, s) => a + s.requests, 0);
  return {
    schema: RAW_SCHEMA_ID,
    engine: 'k6',
    scenario: schedule.scenario,
    target_url: 'http://127.0.0.1:8000/predict',
    t0_ms: 1_800_000_000_000,
    test_run_duration_ms: opts.runMs ?? schedule.durationS * 1000 + 300,
    plan: schedule,
    objective: { p95_ms: 200, p99_ms: null, max_error_rate: 0.01 },
    think_time_s: schedule.scenario === 'steps' ? { min: 1, max: 2.5 } : null,
    steps: opts.steps,
    totals: { requests, latency: latency(20, requests), failed: 0, dropped_iterations: opts.dropped ?? 0, iterations: requests, vus_max: 30 },
    failed_thresholds: opts.failed ?? [],
  };
}
