// The overload scenario: far more closed-loop connections than MAX_INFLIGHT, each retrying a 503
// at once (wrk ignores Retry-After, as k6 does by default). Shows what admission control keeps:
// goodput, the latency of the requests it admits (server side, from /metrics), and the event loop.
import { z } from 'zod';
import type { TargetSpec } from './targets.js';
import { runWrk } from './wrk.js';

export const OverloadResultSchema = z.object({
  maxInflight: z.number(),
  connections: z.number(),
  offeredRps: z.number().describe('all answers per second seen by wrk'),
  goodputRps: z.number().describe('200s per second'),
  rejectedRps: z.number().describe('503s per second'),
  admittedMeanMs: z.number().describe('server-side mean duration of the 200s'),
  admittedP99Ms: z.number().describe('server-side p99 of the 200s (histogram bucket bound)'),
  eventLoopLagP99Ms: z.number(),
  wrkTimeouts: z.number(),
});
export type OverloadResult = z.infer<typeof OverloadResultSchema>;

/** Values of a Prometheus text metric, by the label text inside {...}. */
function samples(text: string, name: string): { labels: string; value: number }[] {
  const out: { labels: string; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^[^{\s]+(?:\{([^}]*)\})?\s+(\S+)$/.exec(line);
    if (m) out.push({ labels: m[1] ?? '', value: Number(m[2]) });
  }
  return out;
}

function p99FromBuckets(text: string, status: string): number {
  const buckets = samples(text, 'http_request_duration_seconds_bucket')
    .filter((s) => s.labels.includes('route="/predict"') && s.labels.includes(`status_code="${status}"`))
    .map((s) => ({ le: Number(/le="([^"]+)"/.exec(s.labels)?.[1]?.replace('+Inf', 'Infinity')), count: s.value }))
    .sort((a, b) => a.le - b.le);
  const total = buckets.at(-1)?.count ?? 0;
  return (buckets.find((b) => b.count >= 0.99 * total)?.le ?? NaN) * 1000;
}

export async function runOverload(o: {
  target: TargetSpec;
  serverCpu: string;
  generatorCpu: string;
  connections: number;
  durationS: number;
  bodyFile: string;
  /** Told about the running server (null once stopped), so an interrupt can stop it. */
  track: (server: { stop(): Promise<void> } | null) => void;
}): Promise<OverloadResult> {
  const server = await o.target.start(o.serverCpu);
  o.track(server);
  try {
    const url = `${server.url}/predict`;
    const wrk = await runWrk({ url, cpu: o.generatorCpu, connections: o.connections, durationS: o.durationS, bodyFile: o.bodyFile });
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const seconds = wrk.durationUs / 1e6;
    const count = (status: string, metric: string) =>
      samples(text, metric).find((s) => s.labels.includes('route="/predict"') && s.labels.includes(`status_code="${status}"`))?.value ?? 0;
    const ok = count('200', 'http_request_duration_seconds_count');
    const limit = samples(text, 'inference_requests_in_flight_limit')[0]?.value ?? NaN;
    return {
      maxInflight: limit,
      connections: o.connections,
      offeredRps: wrk.requests / seconds,
      goodputRps: ok / seconds,
      rejectedRps: count('503', 'http_request_duration_seconds_count') / seconds,
      admittedMeanMs: (count('200', 'http_request_duration_seconds_sum') / Math.max(ok, 1)) * 1000,
      admittedP99Ms: p99FromBuckets(text, '200'),
      eventLoopLagP99Ms: (samples(text, 'nodejs_eventloop_lag_p99_seconds')[0]?.value ?? NaN) * 1000,
      wrkTimeouts: wrk.errors.timeout,
    };
  } finally {
    await server.stop();
    o.track(null);
  }
}
