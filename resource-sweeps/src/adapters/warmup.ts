/**
 * Warm-up before a trial's first step: a few closed-loop clients from the host to the
 * balancer's loopback port for a few seconds, so JIT, connection pools and ONNX Runtime's first
 * runs are not judged. Not measured for the objective; its counts go into the trial's notes.
 */
import { fetchWithTimeout } from './http.js';

export interface WarmupOptions {
  /** loopback URL of the endpoint, e.g. http://127.0.0.1:43121/predict */
  url: string;
  bodies: readonly string[];
  concurrency: number;
  durationS: number;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface WarmupResult {
  requests: number;
  ok: number;
  failed: number;
  statuses: Record<string, number>;
}

export async function warmUp(options: WarmupOptions): Promise<WarmupResult> {
  const end = Date.now() + options.durationS * 1000;
  const result: WarmupResult = { requests: 0, ok: 0, failed: 0, statuses: {} };
  let seq = 0;
  const worker = async () => {
    while (Date.now() < end && !options.signal?.aborted) {
      const body = options.bodies[seq++ % options.bodies.length] as string;
      let key: string;
      try {
        const res = await fetchWithTimeout(options.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }, options.timeoutMs ?? 5000);
        await res.arrayBuffer();
        key = String(res.status);
        if (res.ok) result.ok++;
        else result.failed++;
      } catch (error) {
        key = (error as Error).name;
        result.failed++;
        // a refused connection fails instantly: do not spin
        await new Promise((r) => setTimeout(r, 50));
      }
      result.requests++;
      result.statuses[key] = (result.statuses[key] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return result;
}
