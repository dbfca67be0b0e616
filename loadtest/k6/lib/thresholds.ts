/**
 * Thresholds do two jobs here.
 * 1. k6 only puts a tagged sub-metric (`http_reqs{step:3}`) into handleSummary's data when a
 *    threshold references it, so every per-step number the summary needs gets a guard that
 *    cannot fail (`count>=0`).
 * 2. The objective: per step, p95/p99 latency over the hold after its warm-up and the error
 *    rate over the whole step, each with abortOnFail, so the run ends at the first step that breaks it instead of
 *    grinding through the remaining steps. Judging each step on its own samples (not the whole
 *    run's) is what makes the abort point at the step that broke.
 */
import type { ScriptConfig } from './config.ts';
import { METRIC } from './metrics.ts';

type Threshold = string | { threshold: string; abortOnFail: boolean; delayAbortEval?: string };

const GUARD_COUNT = ['count>=0'];
const GUARD_TREND = ['max>=0'];
const GUARD_RATE = ['rate>=0'];

export function buildThresholds(config: Readonly<ScriptConfig>): Record<string, Threshold[]> {
  const thresholds: Record<string, Threshold[]> = {};
  const open = config.schedule.model === 'open';
  for (const step of config.schedule.steps) {
    const tag = `{step:${step.index}}`;
    thresholds[`http_reqs${tag}`] = GUARD_COUNT;
    thresholds[`http_req_duration${tag}`] = GUARD_TREND;
    // the error-rate objective, judged over the whole step
    thresholds[`http_req_failed${tag}`] = [{ threshold: `rate<=${config.maxErrorRate}`, abortOnFail: true }];
    thresholds[`checks${tag}`] = GUARD_RATE;
    thresholds[`${METRIC.err4xx}${tag}`] = GUARD_COUNT;
    thresholds[`${METRIC.err5xx}${tag}`] = GUARD_COUNT;
    thresholds[`${METRIC.errTimeout}${tag}`] = GUARD_COUNT;
    thresholds[`${METRIC.errConnection}${tag}`] = GUARD_COUNT;
    if (open) {
      thresholds[`${METRIC.started}${tag}`] = GUARD_COUNT;
      thresholds[`${METRIC.dropped}${tag}`] = GUARD_COUNT;
    }
    const latency: Threshold[] = [];
    if (config.p95Ms !== null) latency.push({ threshold: `p(95)<=${config.p95Ms}`, abortOnFail: true });
    if (config.p99Ms !== null) latency.push({ threshold: `p(99)<=${config.p99Ms}`, abortOnFail: true });
    thresholds[`${METRIC.sloLatency}${tag}`] = latency.length > 0 ? latency : GUARD_TREND;
  }
  thresholds['dropped_iterations'] = GUARD_COUNT;
  thresholds[METRIC.dropped] = GUARD_COUNT;
  return thresholds;
}

/** Parses a failed SLO threshold key back into its step, e.g. `rs_slo_latency{step:3}` -> 3. */
export function stepOfMetric(key: string): number | null {
  const m = /\{step:(\d+)\}$/.exec(key);
  return m ? Number(m[1]) : null;
}
