/**
 * One run split across N generator instances (`generators: N`) -> one `rightsize.load-summary/v1`,
 * merged exactly. Pure: each instance's own summary (its share of the run, its own health) and
 * raw result in, the whole run's summary out.
 *
 * - Counts (requests, errors by class, dropped iterations, checks) and rates (achieved, offered)
 *   are summed.
 * - Percentiles come from the instances' histograms added bucket by bucket (pacer/histogram.ts),
 *   which gives the percentiles of all their samples together, to the bucket. Percentiles are
 *   never averaged: the mean of two p95s is the p95 of nothing. An instance whose raw result
 *   carries no histograms cannot be merged exactly, so it is refused rather than approximated.
 * - Health is judged per instance (each against its own CPU share, its own offered rate, its own
 *   send lag): the merged step is valid only when every instance was, its reasons name the
 *   instance, and each instance's health is kept under `generator.instances`.
 */
import type { StepSchedule } from '../k6/lib/schedule.js';
import { Histogram } from '../pacer/histogram.js';
import { LoadError } from './errors.js';
import type { RawResult, RawStep } from './raw-schema.js';
import { parseLoadSummary, type Errors, type GeneratorHealth, type LoadSummary, type Step } from './summary-schema.js';

/** How a summary, a reason or a log line names instance `index` (0-based) of `count`. */
export function generatorName(index: number, count: number): string {
  return `generator ${index + 1} of ${count}`;
}

export interface InstanceRun {
  raw: RawResult;
  summary: LoadSummary;
  /** the runner stopped it because another instance ended early: its abort reason is not the run's */
  stoppedByGroup?: boolean;
}

type InstanceHealth = Omit<GeneratorHealth, 'instances'>;

export function mergeGeneratorRuns(input: { schedule: StepSchedule; runs: readonly InstanceRun[] }): LoadSummary {
  const { schedule, runs } = input;
  const n = runs.length;
  if (n === 0) throw new LoadError('LOAD_ERR_BAD_RESULT', 'no generator instance to merge');
  const name = (i: number) => generatorName(i, n);
  const first = runs[0]!.summary;
  const indices = [...new Set(runs.flatMap((r) => r.summary.steps.map((s) => s.index)))].sort((a, b) => a - b);
  const allLatency = new Histogram();

  const steps: Step[] = indices.map((index) => {
    const scheduled = schedule.steps[index];
    if (!scheduled) throw new LoadError('LOAD_ERR_BAD_RESULT', `step ${index} of a generator instance is not in the schedule`);
    const parts = runs.map((r) => r.summary.steps.find((s) => s.index === index));
    const present = parts.filter((s): s is Step => s !== undefined);
    const latency = new Histogram();
    runs.forEach((r, i) => {
      const h = stepHistogram(r.raw.steps.find((s) => s.index === index), `${name(i)}, step ${index}`);
      if (h) latency.add(h);
    });
    allLatency.add(latency);
    const requests = sum(present.map((s) => s.requests));
    const rps = round3(sum(present.map((s) => s.rps)));
    const offered = present.every((s) => s.offered_rps !== null) ? round3(sum(present.map((s) => s.offered_rps!))) : null;
    const achievedRatio = first.model === 'open' && offered !== null && offered > 0 ? Math.round((rps / offered) * 1000) / 1000 : null;
    return {
      index,
      target: { kind: scheduled.kind, value: scheduled.target },
      ramp_start_s: scheduled.rampStartS,
      hold_start_s: scheduled.holdStartS,
      end_s: scheduled.endS,
      requests,
      rps,
      offered_rps: offered,
      latency_ms: msStats(latency),
      errors: sumErrors(present.map((s) => s.errors), requests),
      dropped_iterations: sum(present.map((s) => s.dropped_iterations)),
      checks: { passes: sum(present.map((s) => s.checks.passes)), fails: sum(present.map((s) => s.checks.fails)) },
      completed: parts.every((s) => s !== undefined && s.completed),
      generator: combineHealth(
        parts.map((s) => (s === undefined ? undefined : withoutInstances(s.generator))),
        achievedRatio,
        name,
      ),
    };
  });

  const requests = sum(runs.map((r) => r.summary.totals.requests));
  const durationS = Math.max(...runs.map((r) => r.summary.totals.duration_s));
  const summary: LoadSummary = {
    schema: first.schema,
    engine: first.engine,
    engine_version: first.engine_version,
    scenario: first.scenario,
    model: first.model,
    target_url: first.target_url,
    started_at: runs.map((r) => r.summary.started_at).sort()[0]!,
    finished_at: runs.map((r) => r.summary.finished_at).sort().at(-1)!,
    objective: first.objective,
    think_time_s: first.think_time_s,
    aborted: runs.some((r) => r.summary.aborted),
    abort_reason: abortReason(runs, name),
    steps,
    generators: n,
    totals: {
      requests,
      rps: round3(requests / Math.max(durationS, 1e-3)),
      latency_ms: msStats(allLatency),
      errors: sumErrors(steps.map((s) => s.errors), requests),
      dropped_iterations: sum(runs.map((r) => r.summary.totals.dropped_iterations)),
      duration_s: durationS,
    },
  };
  return parseLoadSummary(summary, 'merged load summary');
}

/**
 * The merged step's health: valid only when every instance ran the step and was healthy; CPU
 * and waits are the busiest instance's (each against its own share), memory the instances'
 * total, send lag the worst instance's p95; the achieved ratio is the whole step's.
 */
export function combineHealth(instances: readonly (InstanceHealth | undefined)[], achievedRatio: number | null, name: (i: number) => string): GeneratorHealth {
  const list: InstanceHealth[] = instances.map(
    (h) => h ?? { cpu_pct_avg: null, cpu_pct_max: null, mem_mb_max: null, cpu_wait_pct: null, achieved_ratio: null, valid: false, reasons: ['it did not run this step'] },
  );
  const max = (values: (number | null | undefined)[]) => {
    const known = values.filter((v): v is number => typeof v === 'number');
    return known.length === 0 ? null : Math.max(...known);
  };
  const mem = list.map((h) => h.mem_mb_max).filter((v): v is number => v !== null);
  const lag = max(list.map((h) => h.send_lag_p95_ms));
  return {
    cpu_pct_avg: max(list.map((h) => h.cpu_pct_avg)),
    cpu_pct_max: max(list.map((h) => h.cpu_pct_max)),
    mem_mb_max: mem.length === 0 ? null : Math.round(sum(mem) * 10) / 10,
    cpu_wait_pct: max(list.map((h) => h.cpu_wait_pct)),
    achieved_ratio: achievedRatio,
    ...(lag === null ? {} : { send_lag_p95_ms: lag }),
    valid: list.every((h) => h.valid),
    reasons: list.flatMap((h, i) => h.reasons.map((r) => `${name(i)}: ${r}`)),
    instances: list,
  };
}

/** The step's latency histogram from a raw step; null for a step with no requests and none written. */
function stepHistogram(step: RawStep | undefined, what: string): Histogram | null {
  if (step === undefined) return null;
  if (step.histograms === undefined) {
    if (step.requests === 0) return null;
    throw new LoadError('LOAD_ERR_BAD_RESULT', `${what}: the raw result has no latency histogram, so its percentiles cannot be merged exactly with the other instances'`);
  }
  try {
    return Histogram.decode(step.histograms.latency);
  } catch (err) {
    throw new LoadError('LOAD_ERR_BAD_RESULT', `${what}: ${(err as Error).message}`);
  }
}

/**
 * Why the run ended early: the first instance that stopped on its own (the runner stopped the
 * others with it), named unless all say the same (a Ctrl-C or the deadline stopped them all).
 */
function abortReason(runs: readonly InstanceRun[], name: (i: number) => string): string | null {
  const aborted = runs.map((r, i) => ({ i, s: r.summary, own: r.stoppedByGroup !== true })).filter(({ s }) => s.aborted && s.abort_reason !== null);
  if (aborted.length === 0) return null;
  const earliest = [...aborted].sort((a, b) => Number(b.own) - Number(a.own) || a.s.finished_at.localeCompare(b.s.finished_at))[0]!;
  const same = aborted.length === runs.length && aborted.every(({ s }) => s.abort_reason === earliest.s.abort_reason);
  return same ? earliest.s.abort_reason : `${name(earliest.i)}: ${earliest.s.abort_reason}`;
}

function withoutInstances(h: GeneratorHealth): InstanceHealth {
  const { instances: _ignored, ...rest } = h;
  return rest;
}

function msStats(h: Histogram) {
  const s = h.stats();
  return { avg: round3(s.avg), p50: round3(s.p50), p90: round3(s.p90), p95: round3(s.p95), p99: round3(s.p99), max: round3(s.max) };
}

function sumErrors(list: readonly Errors[], requests: number): Errors {
  const by = (k: 'http4xx' | 'http5xx' | 'timeouts' | 'connection') => sum(list.map((e) => e[k]));
  const parts = { http4xx: by('http4xx'), http5xx: by('http5xx'), timeouts: by('timeouts'), connection: by('connection') };
  const total = parts.http4xx + parts.http5xx + parts.timeouts + parts.connection;
  return { total, rate: requests > 0 ? Math.min(1, total / requests) : 0, ...parts };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
