/**
 * A percentile over several steps from each step's own summary (count, p50, p90, p95, p99, max):
 * percentiles do not average, so each step's distribution is rebuilt as a piecewise-linear CDF
 * through its known quantiles, the CDFs are merged weighted by count (a coarse histogram merge),
 * and the merged CDF is solved for the wanted quantile. Exact at the knots when every step has
 * the same distribution; between knots, an interpolation. Pure.
 */
import type { RawLatency } from '../../src/raw-schema.js';

type Knot = [ms: number, cdf: number];

function knots(l: RawLatency): Knot[] {
  const points: Knot[] = [
    [0, 0],
    [l.p50, 0.5],
    [l.p90, 0.9],
    [l.p95, 0.95],
    [l.p99, 0.99],
    [l.max, 1],
  ];
  // quantiles are non-decreasing; guard against rounding in the summaries
  for (let i = 1; i < points.length; i++) points[i]![0] = Math.max(points[i]![0], points[i - 1]![0]);
  return points;
}

function cdfAt(k: readonly Knot[], x: number): number {
  if (x >= k[k.length - 1]![0]) return 1;
  for (let i = 1; i < k.length; i++) {
    const [x1, y1] = k[i]!;
    if (x < x1) {
      const [x0, y0] = k[i - 1]!;
      return x1 > x0 ? y0 + ((y1 - y0) * (x - x0)) / (x1 - x0) : y1;
    }
  }
  return 1;
}

/** the q-quantile (0..1) of the union of the steps' requests, in ms; null when there are none */
export function mergedQuantile(steps: readonly RawLatency[], q: number): number | null {
  const used = steps.filter((s) => s.count > 0);
  const total = used.reduce((a, s) => a + s.count, 0);
  if (total === 0) return null;
  const all = used.map((s) => ({ k: knots(s), w: s.count / total }));
  const cdf = (x: number) => all.reduce((a, s) => a + s.w * cdfAt(s.k, x), 0);
  let lo = 0;
  let hi = Math.max(...used.map((s) => s.max));
  for (let i = 0; i < 60 && hi - lo > 1e-6; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) >= q) hi = mid;
    else lo = mid;
  }
  return hi;
}
