/**
 * Was the generator, not the API, the bottleneck during a step? Pure: samples and counts in,
 * the schema's GeneratorHealth out. A step is invalid when the generator dropped iterations,
 * used more than `maxCpuPct` of its CPU share on average, or (open model) achieved less than
 * `minAchievedRatio` of the rate it meant to offer. Invalid never means "the API failed".
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
});
export type GeneratorSample = z.infer<typeof GeneratorSampleSchema>;

export interface HealthRules {
  maxCpuPct: number;
  minAchievedRatio: number;
}
export const DEFAULT_HEALTH_RULES: Readonly<HealthRules> = Object.freeze({ maxCpuPct: 80, minAchievedRatio: 0.95 });

export interface StepHealthInput {
  samples: readonly GeneratorSample[];
  fromMs: number;
  toMs: number;
  dropped: number;
  /** achieved / offered, open model only */
  achievedRatio: number | null;
  rules: HealthRules;
}

export function stepHealth(input: StepHealthInput): GeneratorHealth {
  const inWindow = input.samples.filter((s) => s.atMs > input.fromMs && s.atMs <= input.toMs);
  const bySource = new Map<string, GeneratorSample[]>();
  for (const s of inWindow) bySource.set(s.source, [...(bySource.get(s.source) ?? []), s]);
  let cpuAvg: number | null = null;
  let cpuMax: number | null = null;
  let memMax: number | null = null;
  // The busiest source decides: one saturated Locust worker skews its share of the users.
  for (const list of bySource.values()) {
    const avg = list.reduce((a, s) => a + s.cpuPct, 0) / list.length;
    const max = Math.max(...list.map((s) => s.cpuPct));
    cpuAvg = Math.max(cpuAvg ?? 0, avg);
    cpuMax = Math.max(cpuMax ?? 0, max);
    memMax = (memMax ?? 0) + Math.max(...list.map((s) => s.memBytes)) / 2 ** 20;
  }
  const reasons: string[] = [];
  if (input.dropped > 0) reasons.push(`dropped_iterations=${input.dropped}`);
  if (cpuAvg !== null && cpuAvg > input.rules.maxCpuPct) {
    reasons.push(`generator cpu ${round1(cpuAvg)}% > ${input.rules.maxCpuPct}% of its share`);
  }
  if (input.achievedRatio !== null && input.achievedRatio < input.rules.minAchievedRatio) {
    reasons.push(`achieved ${round1(input.achievedRatio * 100)}% of the offered rate < ${round1(input.rules.minAchievedRatio * 100)}%`);
  }
  return {
    cpu_pct_avg: cpuAvg === null ? null : round1(cpuAvg),
    cpu_pct_max: cpuMax === null ? null : round1(cpuMax),
    mem_mb_max: memMax === null ? null : round1(memMax),
    achieved_ratio: input.achievedRatio === null ? null : Math.round(input.achievedRatio * 1000) / 1000,
    valid: reasons.length === 0,
    reasons,
  };
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
