/**
 * Live numbers from k6's REST API (`--address`): cumulative counters once a second, turned
 * into rates by difference, and the running step's p95 so far. Only for progress; the summary
 * comes from handleSummary.
 *
 * Each metric is fetched by its id rather than listing `/v1/metrics`: the list formats every
 * trend metric k6 holds (http_req_duration, its phases, every step's sub-metric), which sorts
 * all their samples on every call; at a thousand requests a second that is the generator's CPU
 * spent on progress. The step's p95 comes from the `http_req_duration{step:N}` sub-metric the
 * scenario's thresholds already create (k6/lib/thresholds.ts), so it costs one sort of one step.
 */
import type { LiveReading } from './types.js';

export interface LiveRates {
  rps: number;
  failedPerS: number;
  vus: number;
  dropped: number;
}

interface MetricDoc {
  data?: { attributes?: { sample?: Record<string, number> } };
}

async function readMetric(baseUrl: string, id: string, timeoutMs: number): Promise<Record<string, number> | null> {
  const res = await fetch(`${baseUrl}/v1/metrics/${encodeURIComponent(id)}`, { signal: AbortSignal.timeout(timeoutMs) });
  // 404: a metric nothing has emitted yet (rs_dropped in a closed model, a step not reached)
  if (res.status === 404) {
    await res.body?.cancel();
    return {};
  }
  if (!res.ok) {
    await res.body?.cancel();
    return null;
  }
  return ((await res.json()) as MetricDoc).data?.attributes?.sample ?? {};
}

export async function readK6Live(baseUrl: string, opts: { stepIndex?: number | null; timeoutMs?: number } = {}): Promise<LiveReading | null> {
  const timeoutMs = opts.timeoutMs ?? 800;
  const ids = ['http_reqs', 'http_req_failed', 'vus', 'dropped_iterations', 'rs_dropped'];
  if (opts.stepIndex !== undefined && opts.stepIndex !== null) ids.push(`http_req_duration{step:${opts.stepIndex}}`);
  try {
    const samples = await Promise.all(ids.map((id) => readMetric(baseUrl, id, timeoutMs)));
    // k6 not listening yet (or gone): no reading rather than zeros, which would read as a stall
    if (samples.slice(0, 3).some((s) => s === null)) return null;
    const [reqs, failed, vus, dropped, rsDropped, step] = samples;
    const p95 = step?.['p(95)'];
    return {
      atMs: Date.now(),
      requests: reqs?.count ?? 0,
      failed: failed?.passes ?? 0,
      vus: vus?.value ?? 0,
      dropped: (dropped?.count ?? 0) + (rsDropped?.count ?? 0),
      // k6 reports 0 for a trend with no samples yet
      stepP95Ms: p95 !== undefined && (step?.max ?? 0) > 0 ? p95 : null,
    };
  } catch {
    return null; // not listening yet, or already gone
  }
}

export function liveRates(prev: LiveReading, cur: LiveReading): LiveRates {
  const dt = Math.max((cur.atMs - prev.atMs) / 1000, 1e-3);
  return {
    rps: Math.max(0, (cur.requests - prev.requests) / dt),
    failedPerS: Math.max(0, (cur.failed - prev.failed) / dt),
    vus: cur.vus,
    dropped: cur.dropped,
  };
}
