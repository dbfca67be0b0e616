/**
 * Live numbers from k6's REST API (`--address`): cumulative counters once a second, turned
 * into rates by difference. Only for progress; the summary comes from handleSummary.
 */
export interface K6LiveReading {
  atMs: number;
  requests: number;
  failed: number;
  vus: number;
  dropped: number;
}

export interface K6LiveRates {
  rps: number;
  failedPerS: number;
  vus: number;
  dropped: number;
}

interface MetricDoc {
  id: string;
  attributes: { sample: Record<string, number> };
}

export async function readK6Live(baseUrl: string, timeoutMs = 800): Promise<K6LiveReading | null> {
  try {
    const res = await fetch(`${baseUrl}/v1/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return null;
    const doc = (await res.json()) as { data?: MetricDoc[] };
    const get = (id: string, key: string) => doc.data?.find((m) => m.id === id)?.attributes.sample[key] ?? 0;
    return {
      atMs: Date.now(),
      requests: get('http_reqs', 'count'),
      failed: get('http_req_failed', 'passes'),
      vus: get('vus', 'value'),
      dropped: get('dropped_iterations', 'count') + get('rs_dropped', 'count'),
    };
  } catch {
    return null; // not listening yet, or already gone
  }
}

export function liveRates(prev: K6LiveReading, cur: K6LiveReading): K6LiveRates {
  const dt = Math.max((cur.atMs - prev.atMs) / 1000, 1e-3);
  return {
    rps: Math.max(0, (cur.requests - prev.requests) / dt),
    failedPerS: Math.max(0, (cur.failed - prev.failed) / dt),
    vus: cur.vus,
    dropped: cur.dropped,
  };
}
