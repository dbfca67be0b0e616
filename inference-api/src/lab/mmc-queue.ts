// The queueing lab's core: an M/M/c station. Requests wait FIFO for one of c servers, then hold
// it for an exponential service time of rate mu. With Poisson arrivals this is the textbook
// M/M/c queue (M/M/c/K once MAX_INFLIGHT = K turns late arrivals away), so the sweep can compare
// measured latency with the closed-form answer. Clock, timers and randomness are injected.

export interface MmcOptions {
  servers: number;
  /** Service rate per server, 1/s. */
  mu: number;
  /** Uniform [0, 1). */
  random: () => number;
  /** Seconds, monotonic. */
  now: () => number;
  /** Schedules fn after ms milliseconds (setTimeout granularity is 1 ms: keep 1/mu well above that). */
  schedule: (fn: () => void, ms: number) => void;
}

export interface Visit {
  waitSeconds: number;
  /** Sampled service time. */
  serviceSeconds: number;
  /** Time actually held (timer granularity makes it differ from the sample). */
  heldSeconds: number;
}

export interface MmcQueue {
  enter(): Promise<Visit>;
  queueLength(): number;
  busyServers(): number;
}

export function createMmcQueue(options: MmcOptions): MmcQueue {
  const { servers, mu, random, now, schedule } = options;
  const waiting: { arrived: number; resolve: (v: Visit) => void }[] = [];
  let busy = 0;

  const serve = (arrived: number, resolve: (v: Visit) => void) => {
    busy++;
    const start = now();
    const service = -Math.log(1 - random()) / mu;
    schedule(() => {
      busy--;
      resolve({ waitSeconds: start - arrived, serviceSeconds: service, heldSeconds: now() - start });
      const next = waiting.shift();
      if (next) serve(next.arrived, next.resolve);
    }, service * 1000);
  };

  return {
    enter() {
      return new Promise<Visit>((resolve) => {
        const arrived = now();
        if (busy < servers) serve(arrived, resolve);
        else waiting.push({ arrived, resolve });
      });
    },
    queueLength: () => waiting.length,
    busyServers: () => busy,
  };
}

/** mulberry32: a small seeded generator so lab runs can be repeated exactly (LAB_SEED). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
