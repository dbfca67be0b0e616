/** A small, bounded closed-loop load on a loopback URL (keep-alive), counting outcomes. */
import http from 'node:http';

export interface LoadResult {
  ok: number;
  failed: number;
  errors: Record<string, number>;
  /** Failures after `quietAfter` (ms since start), e.g. after a replica was killed and routed around. */
  failedAfter: number;
  okAfter: number;
}

export async function runLoad(o: { url: string; bodies: string[]; concurrency: number; durationMs: number; quietAfterMs?: number}): Promise<LoadResult> {
  const target = new URL(o.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency });
  const result: LoadResult = { ok: 0, failed: 0, errors: {}, failedAfter: 0, okAfter: 0 };
  const t0 = performance.now();
  const deadline = t0 + o.durationMs;
  const one = (body: string) =>
    new Promise<string | undefined>((resolve) => {
      const req = http.request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: 10_000 },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200 ? undefined : `HTTP ${res.statusCode}`));
          res.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? e.message));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? e.message));
      req.end(body);
    });
  const worker = async (k: number) => {
    for (let n = 0; performance.now() < deadline; n++) {
      const err = await one(o.bodies[(k * 13 + n) % o.bodies.length]!);
      const late = o.quietAfterMs !== undefined && performance.now() - t0 > o.quietAfterMs;
      if (err) {
        result.failed++;
        result.errors[err] = (result.errors[err] ?? 0) + 1;
        if (late) result.failedAfter++;
      } else {
        result.ok++;
        if (late) result.okAfter++;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: o.concurrency }, (_, k) => worker(k)));
  } finally {
    agent.destroy();
  }
  return result;
}
