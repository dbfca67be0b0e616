/**
 * Was the generator, not the API, the bottleneck during a step? Pure: samples and counts in,
 * the schema's GeneratorHealth out. A step is invalid when the generator dropped iterations,
 * used more than `maxCpuPct` of its CPU share on average, or (open model) achieved less than
 * `minAchievedRatio` of the rate it meant to offer; optionally also when it waited for a CPU more
 * than `maxCpuWaitPct` of its runnable time (crowded out by other work); and (the pacer) when it
 * sent requests late against their due times by more than `maxSendLagPct` of the latency
 * objective at p95: that delay is in every latency it measures, so it would read as the API's.
 * Invalid never means "the API failed".
 */
import { z } from 'zod';
import type { GeneratorHealth } from './summary-schema.js';

/** One reading of one generator process/container. */
export const GeneratorSampleSchema = z.object({
  atMs: z.number(),
  /** container id, pid or worker name: Locust in distributed mode has several */
  source: z.string(),
  /** CPU used since the previous reading, % of this source's own share (100 = its whole limit) */
  cpuPct: z.number().nonnegative(),
  memBytes: z.number().nonnegative(),
  /** % of its runnable time the generator waited for a CPU since the previous reading (null: unknown) */
  cpuWaitPct: z.number().nonnegative().nullable().optional(),
});
export type GeneratorSample = z.infer<typeof GeneratorSampleSchema>;

export interface HealthRules {
  maxCpuPct: number;
  minAchievedRatio: number;
  /**
   * % of runnable time waiting for a CPU above which the generator counts as crowded out; null =
   * reported only. Off by default: a mostly idle generator on a busy core waits for most of its
   * few short wake-ups (80 % measured here at 4 % CPU), so the share alone over-reports harm.
   */
  maxCpuWaitPct: number | null;
  /** % of the latency objective (p95, else p99) the generator's own send lag may take at p95 */
  maxSendLagPct: number;
}
export const DEFAULT_HEALTH_RULES: Readonly<HealthRules> = Object.freeze({ maxCpuPct: 80, minAchievedRatio: 0.95, maxCpuWaitPct: null, maxSendLagPct: 10 });

export interface StepHealthInput {
  samples: readonly GeneratorSample[];
  fromMs: number;
  toMs: number;
  dropped: number;
  /** achieved / offered, open model only */
  achievedRatio: number | null;
  /**
   * requests the step was expected to offer, and whether they arrive as a Poisson process: a
   * short step offers few requests, and a count that falls short by chance is not a saturated
   * generator (3 standard deviations for Poisson counts, 2 requests of boundary jitter otherwise)
   */
  expected?: { requests: number; poisson: boolean } | undefined;
  /** p95 of the step's send lag (ms), when the engine measures it, and the latency objective it is held against */
  sendLag?: { p95Ms: number; objectiveMs: number | null } | undefined;
  rules: HealthRules;
}

export function stepHealth(input: StepHealthInput): GeneratorHealth {
  const inWindow = input.samples.filter((s) => s.atMs > input.fromMs && s.atMs <= input.toMs);
  const bySource = new Map<string, GeneratorSample[]>();
  for (const s of inWindow) bySource.set(s.source, [...(bySource.get(s.source) ?? []), s]);
  let cpuAvg: number | null = null;
  let cpuMax: number | null = null;
  let memMax: number | null = null;
  let waitAvg: number | null = null;
  // The busiest source decides: one saturated Locust worker skews its share of the users.
  for (const list of bySource.values()) {
    const avg = list.reduce((a, s) => a + s.cpuPct, 0) / list.length;
    const max = Math.max(...list.map((s) => s.cpuPct));
    cpuAvg = Math.max(cpuAvg ?? 0, avg);
    cpuMax = Math.max(cpuMax ?? 0, max);
    memMax = (memMax ?? 0) + Math.max(...list.map((s) => s.memBytes)) / 2 ** 20;
    const waits = list.map((s) => s.cpuWaitPct).filter((w): w is number => typeof w === 'number');
    if (waits.length > 0) waitAvg = Math.max(waitAvg ?? 0, waits.reduce((a, w) => a + w, 0) / waits.length);
  }
  const reasons: string[] = [];
  if (input.dropped > 0) reasons.push(`dropped_iterations=${input.dropped}`);
  if (cpuAvg !== null && cpuAvg > input.rules.maxCpuPct) {
    reasons.push(`generator cpu ${round1(cpuAvg)}% > ${input.rules.maxCpuPct}% of its share`);
  }
  if (waitAvg !== null && input.rules.maxCpuWaitPct !== null && waitAvg > input.rules.maxCpuWaitPct) {
    reasons.push(`generator waited for a CPU ${round1(waitAvg)}% of its runnable time > ${input.rules.maxCpuWaitPct}% (other work on the machine or its CPU limit)`);
  }
  const minRatio = minAchievedRatio(input.rules.minAchievedRatio, input.expected);
  if (input.achievedRatio !== null && input.achievedRatio < minRatio) {
    reasons.push(`achieved ${round1(input.achievedRatio * 100)}% of the offered rate < ${round1(minRatio * 100)}%`);
  }
  const lag = input.sendLag;
  if (lag && lag.objectiveMs !== null && lag.p95Ms > (lag.objectiveMs * input.rules.maxSendLagPct) / 100) {
    reasons.push(
      `generator sent late: p95 ${round1(lag.p95Ms)} ms behind schedule > ${input.rules.maxSendLagPct}% of the ${lag.objectiveMs} ms objective (its own delay, in every latency it measured)`,
    );
  }
  return {
    cpu_pct_avg: cpuAvg === null ? null : round1(cpuAvg),
    cpu_pct_max: cpuMax === null ? null : round1(cpuMax),
    mem_mb_max: memMax === null ? null : round1(memMax),
    cpu_wait_pct: waitAvg === null ? null : round1(waitAvg),
    achieved_ratio: input.achievedRatio === null ? null : Math.round(input.achievedRatio * 1000) / 1000,
    ...(lag ? { send_lag_p95_ms: round1(lag.p95Ms) } : {}),
    valid: reasons.length === 0,
    reasons,
  };
}

/** The rule's ratio, loosened for small counts where chance alone can miss it. */
export function minAchievedRatio(rule: number, expected: StepHealthInput['expected']): number {
  if (!expected || expected.requests <= 0) return rule;
  const slack = expected.poisson ? 3 * Math.sqrt(expected.requests) : 2;
  return Math.max(0, Math.min(rule, 1 - slack / expected.requests));
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
