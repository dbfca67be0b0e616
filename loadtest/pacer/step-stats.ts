/**
 * What the pacer counts per step (by the step each request was due in) and how a step is judged
 * against the objective while the run goes on: the same rules k6's abortOnFail thresholds apply
 * (loadtest/k6/lib/thresholds.ts): p95/p99 over the hold after its warm-up, errors over the step.
 */
import { Histogram, type HistogramData, type LatencyStats } from './histogram.ts';

export interface StepStats {
  /** requests due in the step and sent */
  started: number;
  /** of those, answered or failed */
  requests: number;
  failed: number;
  http4xx: number;
  http5xx: number;
  timeouts: number;
  connection: number;
  checksPass: number;
  checksFail: number;
  /** from due time to the end of the response */
  latency: Histogram;
  /** the same, for requests due in the hold after its warm-up */
  slo: Histogram;
  /** how late the generator itself sent each request (its timer, its CPU), from due time to write */
  sendLag: Histogram;
}

export function createStepStats(): StepStats {
  return {
    started: 0,
    requests: 0,
    failed: 0,
    http4xx: 0,
    http5xx: 0,
    timeouts: 0,
    connection: 0,
    checksPass: 0,
    checksFail: 0,
    latency: new Histogram(),
    slo: new Histogram(),
    sendLag: new Histogram(),
  };
}

export interface StepObjective {
  p95Ms: number | null;
  p99Ms: number | null;
  maxErrorRate: number;
}

export interface Verdict {
  metric: string;
  threshold: string;
  reason: string;
}

/**
 * While a step runs, only a failure that is already certain: more failed requests than the
 * whole step may have (`planned` requests x the error budget), or more requests of its judged
 * window over the latency objective than its p95 (p99) may have. So stopping early never changes
 * a verdict the full step would have given; a short burst of errors or slow answers that the
 * rest of the step would dilute does not end the run.
 */
export function certainFailure(s: StepStats, objective: StepObjective, planned: { requests: number; slo: number }): Verdict | null {
  const allowedFailures = objective.maxErrorRate * planned.requests;
  if (s.failed > allowedFailures) {
    return {
      metric: 'http_req_failed',
      threshold: `rate<=${objective.maxErrorRate}`,
      reason: `${s.failed} failed requests already exceed the step's error budget (${(100 * objective.maxErrorRate).toFixed(2)} % of its ${Math.round(planned.requests)} requests)`,
    };
  }
  for (const [p, limit] of [
    [95, objective.p95Ms],
    [99, objective.p99Ms],
  ] as const) {
    if (limit === null) continue;
    const slow = s.slo.countAbove(limit * 1000);
    if (slow > ((100 - p) / 100) * planned.slo) {
      return { metric: 'rs_slo_latency', threshold: `p(${p})<=${limit}`, reason: `${slow} answers over ${limit} ms already put the step's p${p} above it (of ${Math.round(planned.slo)} judged requests)` };
    }
  }
  return null;
}

/** The first rule a finished step broke (every request answered or timed out), or null. */
export function judgeStep(s: StepStats, objective: StepObjective): Verdict | null {
  if (s.requests > 0 && s.failed / s.requests > objective.maxErrorRate) {
    return {
      metric: 'http_req_failed',
      threshold: `rate<=${objective.maxErrorRate}`,
      reason: `error rate ${((100 * s.failed) / s.requests).toFixed(2)} % > ${(100 * objective.maxErrorRate).toFixed(2)} % (${s.failed} of ${s.requests})`,
    };
  }
  if (s.slo.count > 0) {
    for (const [p, limit] of [
      [95, objective.p95Ms],
      [99, objective.p99Ms],
    ] as const) {
      if (limit === null) continue;
      const ms = s.slo.percentileUs(p) / 1000;
      if (ms > limit) return { metric: 'rs_slo_latency', threshold: `p(${p})<=${limit}`, reason: `p${p} ${ms.toFixed(1)} ms > ${limit} ms` };
    }
  }
  return null;
}

export function rawStep(index: number, s: StepStats): {
  index: number;
  requests: number;
  latency: LatencyStats;
  failed: number;
  errors: { http4xx: number; http5xx: number; timeouts: number; connection: number };
  checks: { passes: number; fails: number };
  started: number;
  dropped: number;
  slo_latency: LatencyStats;
  slo_error_rate: number;
  send_lag: LatencyStats;
  histograms: { latency: HistogramData; slo_latency: HistogramData; send_lag: HistogramData };
} {
  return {
    index,
    requests: s.requests,
    latency: s.latency.stats(),
    failed: s.failed,
    errors: { http4xx: s.http4xx, http5xx: s.http5xx, timeouts: s.timeouts, connection: s.connection },
    checks: { passes: s.checksPass, fails: s.checksFail },
    started: s.started,
    dropped: 0,
    slo_latency: s.slo.stats(),
    slo_error_rate: s.requests === 0 ? 0 : s.failed / s.requests,
    send_lag: s.sendLag.stats(),
    // what lets a runner merge several pacers' steps exactly (percentiles of all their samples together)
    histograms: { latency: s.latency.encode(), slo_latency: s.slo.encode(), send_lag: s.sendLag.encode() },
  };
}
