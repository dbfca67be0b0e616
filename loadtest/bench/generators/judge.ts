/**
 * Pure decisions over measured points: is a point's generator healthy, which rate to probe next
 * in the search for the largest healthy rate, and what that search found.
 */
import type { Bounds, Point } from './schema.js';

export interface Health {
  valid: boolean;
  reasons: string[];
  targetBound: boolean;
}

const pct = (v: number) => `${Math.round(v)} %`;

/** The generator's own health at one point, against the bounds; closed-loop points are never "valid" (they saturate by design). */
export function judgePoint(p: Omit<Point, 'valid' | 'reasons' | 'targetBound'>, bounds: Bounds): Health {
  const reasons: string[] = [];
  if (p.offeredRps === null) reasons.push('closed loop: saturates its core by design');
  if (p.achievedRatio !== null && p.achievedRatio < bounds.minAchievedRatio) reasons.push(`achieved ${pct(p.achievedRatio * 100)} of offered < ${pct(bounds.minAchievedRatio * 100)}`);
  if (p.cpuPct > bounds.maxCpuPct) reasons.push(`cpu ${pct(p.cpuPct)} > ${pct(bounds.maxCpuPct)}`);
  if ((p.own.dropped ?? 0) > 0) reasons.push(`${p.own.dropped} dropped iterations`);
  if (p.own.p95Ms !== null && p.own.p95Ms > bounds.maxP95Ms) reasons.push(`p95 ${p.own.p95Ms.toFixed(1)} ms > ${bounds.maxP95Ms} ms`);
  if (p.own.requests > 0 && p.own.errors / p.own.requests > bounds.maxErrorRatio) reasons.push(`${p.own.errors} errors`);
  if (p.own.p95Ms === null && p.offeredRps !== null) reasons.push('no latency reported');
  const targetBound = p.targetCpuPct !== null && p.targetCpuPct > bounds.maxTargetCpuPct;
  if (targetBound) reasons.push(`target cpu ${pct(p.targetCpuPct!)}: the target, not the generator, may be the limit`);
  return { valid: reasons.length === 0, reasons, targetBound };
}

export interface SearchOptions {
  maxCpuPct: number;
  /** never probe above this rate */
  maxRate: number;
  /** stop when the bracket [largest valid, smallest invalid above it] is this narrow (ratio) */
  resolution: number;
}

/**
 * The next rate to try, or null when the search is done. Above the largest healthy rate, CPU is
 * what usually gives out first, so the first guess is where the CPU line through the two
 * largest healthy points reaches 95 % of the CPU bound; inside a bracket, its geometric middle.
 * `failedRates`: probes the generator could not finish.
 */
export function nextProbe(points: readonly Pick<Point, 'offeredRps' | 'valid' | 'cpuPct'>[], opts: SearchOptions, failedRates: readonly number[] = []): number | null {
  // a rate the generator could not even finish counts as unhealthy
  const open = [...points, ...failedRates.map((r) => ({ offeredRps: r, valid: false, cpuPct: 100 }))].filter((p): p is Pick<Point, 'valid' | 'cpuPct'> & { offeredRps: number } => p.offeredRps !== null);
  const valid = open.filter((p) => p.valid).sort((a, b) => a.offeredRps - b.offeredRps);
  const lo = valid.at(-1);
  if (!lo) return null; // not even the lowest rate: the table says "below"
  const hi = open.filter((p) => !p.valid && p.offeredRps > lo.offeredRps).sort((a, b) => a.offeredRps - b.offeredRps)[0];
  if (hi && hi.offeredRps / lo.offeredRps <= opts.resolution) return null;
  if (!hi && lo.offeredRps >= opts.maxRate) return null;
  let guess: number;
  if (hi) {
    guess = Math.sqrt(lo.offeredRps * hi.offeredRps);
  } else {
    const prev = valid.at(-2);
    const slope = prev && lo.offeredRps > prev.offeredRps ? (lo.cpuPct - prev.cpuPct) / (lo.offeredRps - prev.offeredRps) : lo.cpuPct / lo.offeredRps;
    const atBound = slope > 0 ? lo.offeredRps + (0.95 * opts.maxCpuPct - lo.cpuPct) / slope : Infinity;
    guess = Math.min(Math.max(atBound, lo.offeredRps * 1.25), lo.offeredRps * 4, opts.maxRate);
  }
  const rounded = Math.round(guess / 50) * 50;
  if (rounded <= lo.offeredRps || (hi && rounded >= hi.offeredRps)) return null;
  return rounded;
}

/** The largest healthy rate and why the search ended there. */
export function maxSustained(points: readonly Point[]): { maxRps: number | null; maxNote: string } {
  const closed = points.filter((p) => p.offeredRps === null);
  if (closed.length > 0) {
    const best = closed.reduce((a, b) => (b.achievedRps > a.achievedRps ? b : a));
    return { maxRps: round(best.achievedRps), maxNote: `closed loop: generator cpu ${pct(best.cpuPct)}, target cpu ${best.targetCpuPct === null ? '?' : pct(best.targetCpuPct)}` };
  }
  const open = points.filter((p): p is Point & { offeredRps: number } => p.offeredRps !== null);
  const valid = open.filter((p) => p.valid).sort((a, b) => a.offeredRps - b.offeredRps);
  const lo = valid.at(-1);
  const above = open.filter((p) => !p.valid && (!lo || p.offeredRps > lo.offeredRps)).sort((a, b) => a.offeredRps - b.offeredRps)[0];
  const why = above ? `invalid at ${above.offeredRps}: ${above.reasons.join('; ')}` : 'no invalid rate measured above it';
  if (!lo) return { maxRps: null, maxNote: above ? `below the lowest rate; ${why}` : 'nothing measured' };
  return { maxRps: lo.offeredRps, maxNote: why };
}

function round(v: number): number {
  return Math.round(v);
}
