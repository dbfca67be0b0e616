/**
 * Poisson arrivals, open loop: the next request leaves after an exponential gap of mean 1/lambda
 * whatever the server does (no coordinated omission), each on its own, so the queue forms in
 * the server as M/M/c assumes. Times are kept against an absolute schedule, so timer lateness
 * does not lower the rate.
 */
export interface Arrival {
  /** ms since the start of the run */
  sent_ms: number;
  latency_ms: number | null;
  status: number | null;
}

export interface PoissonOptions {
  lambda: number;
  durationS: number;
  send: () => Promise<number>;
  random?: () => number;
  signal?: AbortSignal;
  now?: () => number;
}

export async function drivePoisson(options: PoissonOptions): Promise<Arrival[]> {
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => performance.now());
  const start = now();
  const end = start + options.durationS * 1000;
  const arrivals: Arrival[] = [];
  const inflight: Promise<void>[] = [];
  let next = start;
  while (!options.signal?.aborted) {
    next += (-Math.log(1 - random()) / options.lambda) * 1000;
    if (next >= end) break;
    const wait = next - now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const a: Arrival = { sent_ms: now() - start, latency_ms: null, status: null };
    arrivals.push(a);
    const t0 = now();
    inflight.push(
      options.send().then(
        (status) => {
          a.status = status;
          a.latency_ms = now() - t0;
        },
        () => undefined,
      ),
    );
  }
  await Promise.all(inflight);
  return arrivals;
}
