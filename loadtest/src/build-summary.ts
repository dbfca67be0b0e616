/**
 * Raw engine result + generator samples -> `rightsize.load-summary/v1`. Pure, so every rule
 * (what a step's window is, how dropped iterations are placed, when a step is complete, why a
 * run ended early) is unit-tested without an engine. The result is validated with
 * parseLoadSummary before it is returned: nothing invalid reaches a file.
 */
import { integrateTarget, type ScheduledStep } from '../k6/lib/schedule.js';
import { stepHealth, type GeneratorSample, type HealthRules } from './generator-health.js';
import type { RawResult, RawStep, RawLatency } from './raw-schema.js';
import { parseLoadSummary, type Errors, type LoadSummary, type Step } from './summary-schema.js';

export interface BuildSummaryInput {
  raw: RawResult;
  samples: readonly GeneratorSample[];
  engineVersion: string;
  /** wall-clock ms of the test clock's start when the raw result lacks it */
  fallbackT0Ms: number;
  rules: HealthRules;
  /** set when the runner stopped the engine (Ctrl-C, deadline): the run's abort reason */
  interrupted: string | null;
}

/** A run that ended this much before its schedule counts as cut short (engine start/stop jitter). */
const CUT_TOLERANCE_S = 0.5;

export function buildSummary(input: BuildSummaryInput): LoadSummary {
  const { raw } = input;
  const t0 = raw.t0_ms ?? input.fallbackT0Ms;
  const runS = raw.test_run_duration_ms / 1000;
  const cutShort = runS < raw.plan.durationS - CUT_TOLERANCE_S;
  const planned = raw.plan.steps.filter((s) => s.index === 0 || s.rampStartS < runS);
  const rawByIndex = new Map(raw.steps.map((s) => [s.index, s]));
  const dropped = placeDropped(raw, planned, runS);

  const steps: Step[] = planned.map((scheduled) => {
    const r = rawByIndex.get(scheduled.index) ?? emptyStep(scheduled.index);
    const toS = Math.min(scheduled.endS, runS);
    const windowS = Math.max(toS - scheduled.rampStartS, 1e-3);
    const rps = r.requests / windowS;
    const offered = offeredRps(raw, scheduled, toS, windowS, r.latency);
    const achievedRatio = raw.plan.model === 'open' && offered !== null && offered > 0 ? rps / offered : null;
    return {
      index: scheduled.index,
      target: { kind: scheduled.kind, value: scheduled.target },
      ramp_start_s: scheduled.rampStartS,
      hold_start_s: scheduled.holdStartS,
      end_s: scheduled.endS,
      requests: r.requests,
      rps: round3(rps),
      offered_rps: offered === null ? null : round3(offered),
      latency_ms: latency(r.latency),
      errors: errors(r),
      dropped_iterations: dropped.get(scheduled.index) ?? 0,
      checks: r.checks,
      completed: !cutShort || scheduled.endS <= runS + CUT_TOLERANCE_S,
      generator: stepHealth({
        samples: input.samples,
        fromMs: t0 + scheduled.rampStartS * 1000,
        toMs: t0 + toS * 1000,
        dropped: dropped.get(scheduled.index) ?? 0,
        achievedRatio,
        expected: offered === null ? undefined : { requests: offered * windowS, poisson: raw.scenario === 'poisson' },
        sendLag: r.send_lag && r.send_lag.count > 0 ? { p95Ms: r.send_lag.p95, objectiveMs: raw.objective.p95_ms ?? raw.objective.p99_ms } : undefined,
        rules: input.rules,
      }),
    };
  });

  const totalErrors = sumErrors(steps.map((s) => s.errors), raw.totals.requests);
  const summary = {
    schema: 'rightsize.load-summary/v1' as const,
    engine: raw.engine,
    engine_version: input.engineVersion,
    scenario: raw.scenario,
    model: raw.plan.model,
    target_url: raw.target_url,
    started_at: new Date(t0).toISOString(),
    finished_at: new Date(t0 + raw.test_run_duration_ms).toISOString(),
    objective: raw.objective,
    think_time_s: raw.think_time_s,
    aborted: cutShort,
    abort_reason: cutShort ? abortReason(raw, input.interrupted) : null,
    steps,
    totals: {
      requests: raw.totals.requests,
      rps: round3(raw.totals.requests / Math.max(runS, 1e-3)),
      latency_ms: latency(raw.totals.latency),
      errors: totalErrors,
      dropped_iterations: raw.totals.dropped_iterations,
      duration_s: round3(runS),
    },
  };
  return parseLoadSummary(summary, 'built load summary');
}

/**
 * The rate a step meant to offer over its (possibly cut) window. Open model: the planned rate.
 * Closed model: its users' mean count / (mean think time + the step's mean latency), the
 * interactive response-time law; an estimate, so it is reported but never judged.
 */
function offeredRps(raw: RawResult, scheduled: ScheduledStep, toS: number, windowS: number, lat: RawLatency): number | null {
  const mean = integrateTarget(scheduled, scheduled.rampStartS, toS) / windowS;
  if (raw.plan.model === 'open') return mean;
  const cycleS = raw.plan.meanThinkS + lat.avg / 1000;
  return cycleS > 0 ? mean / cycleS : null;
}

/**
 * Dropped iterations per step. Poisson streams count their own drops per step. k6's
 * ramping-arrival-rate emits one untagged `dropped_iterations` total, so it is placed where the
 * iterations went missing: each step's planned starts minus the starts it saw, scaled so the
 * steps add up to k6's exact total. A total of zero places nothing (boundary jitter of one
 * iteration never invalidates a step).
 */
export function placeDropped(raw: RawResult, planned: readonly ScheduledStep[], runS: number): Map<number, number> {
  const out = new Map<number, number>();
  const byIndex = new Map(raw.steps.map((s) => [s.index, s]));
  if (raw.scenario === 'poisson') {
    for (const p of planned) out.set(p.index, byIndex.get(p.index)?.dropped ?? 0);
    return out;
  }
  const total = raw.totals.dropped_iterations;
  if (raw.plan.model !== 'open' || total === 0) return out;
  const deficits = planned.map((p) => {
    const expected = integrateTarget(p, p.rampStartS, Math.min(p.endS, runS));
    return Math.max(0, expected - (byIndex.get(p.index)?.started ?? 0));
  });
  const sum = deficits.reduce((a, b) => a + b, 0);
  if (sum <= 0) {
    out.set(planned[planned.length - 1]!.index, total);
    return out;
  }
  // largest-remainder rounding keeps the placed drops summing to the exact total
  const shares = deficits.map((d) => (d / sum) * total);
  const floors = shares.map(Math.floor);
  let left = total - floors.reduce((a, b) => a + b, 0);
  const order = shares.map((s, i) => ({ i, frac: s - Math.floor(s) })).sort((x, y) => y.frac - x.frac);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i]!++;
    left--;
  }
  planned.forEach((p, i) => out.set(p.index, floors[i]!));
  return out;
}

function abortReason(raw: RawResult, interrupted: string | null): string {
  if (interrupted) return interrupted;
  if (raw.abort) return raw.abort.reason;
  // the objective's thresholds: latency over the hold (rs_slo_latency) and errors over the step
  const slo = raw.failed_thresholds.filter((t) => /^(rs_slo_latency|http_req_failed)\{step:\d+\}$/.test(t.metric));
  if (slo.length === 0) return 'the engine stopped before the last step';
  const first = slo
    .map((t) => ({ ...t, step: Number(/\{step:(\d+)\}/.exec(t.metric)?.[1] ?? -1) }))
    .sort((a, b) => a.step - b.step)[0]!;
  const scheduled = raw.plan.steps[first.step];
  const rawStep = raw.steps.find((s) => s.index === first.step);
  const what = scheduled ? `${scheduled.target} ${scheduled.kind === 'users' ? 'users' : 'req/s'}` : 'unknown load';
  const measured = rawStep ? measuredFor(first.threshold, rawStep) : '';
  return `objective broken at ${what} (step index ${first.step}): ${first.threshold} crossed${measured}`;
}

function measuredFor(threshold: string, step: RawStep): string {
  if (threshold.startsWith('p(95)')) return ` (p95 ${step.slo_latency.p95.toFixed(1)} ms)`;
  if (threshold.startsWith('p(99)')) return ` (p99 ${step.slo_latency.p99.toFixed(1)} ms)`;
  if (threshold.startsWith('rate')) return ` (error rate ${(step.slo_error_rate * 100).toFixed(2)}%)`;
  return '';
}

function latency(l: RawLatency) {
  return { avg: round3(l.avg), p50: round3(l.p50), p90: round3(l.p90), p95: round3(l.p95), p99: round3(l.p99), max: round3(l.max) };
}

function errors(r: RawStep): Errors {
  const total = r.errors.http4xx + r.errors.http5xx + r.errors.timeouts + r.errors.connection;
  return { total, rate: r.requests > 0 ? Math.min(1, total / r.requests) : 0, ...r.errors };
}

function sumErrors(list: readonly Errors[], requests: number): Errors {
  const sum = (k: 'http4xx' | 'http5xx' | 'timeouts' | 'connection') => list.reduce((a, e) => a + e[k], 0);
  const parts = { http4xx: sum('http4xx'), http5xx: sum('http5xx'), timeouts: sum('timeouts'), connection: sum('connection') };
  const total = parts.http4xx + parts.http5xx + parts.timeouts + parts.connection;
  return { total, rate: requests > 0 ? Math.min(1, total / requests) : 0, ...parts };
}

function emptyStep(index: number): RawStep {
  const zero = { avg: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0, count: 0 };
  return {
    index,
    requests: 0,
    latency: zero,
    failed: 0,
    errors: { http4xx: 0, http5xx: 0, timeouts: 0, connection: 0 },
    checks: { passes: 0, fails: 0 },
    started: null,
    dropped: null,
    slo_latency: zero,
    slo_error_rate: 0,
  };
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
