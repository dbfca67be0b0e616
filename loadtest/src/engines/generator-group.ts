/**
 * The instances of one run split across N generators, driven as one: started together (if one
 * fails to start, the others are removed), stopped together, their live counters summed for the
 * progress line. An instance that ends well before the schedule does (it broke the objective, or
 * crashed) stops the others, so no merged step carries only part of its load. With one instance
 * this is that instance, unchanged.
 */
import type { LineHandler } from './lines.js';
import type { LaunchedEngine, LiveReading } from './types.js';

export interface GeneratorGroup {
  engines: LaunchedEngine[];
  /** what the watcher drives: the live URL (a single engine's only) and one interrupt for all */
  control: Pick<LaunchedEngine, 'liveUrl' | 'interrupt'>;
  /** each instance's exit code, once every instance has ended */
  done: Promise<(number | null)[]>;
  /** the instance whose early end made the group stop instance `index`, or null */
  stoppedBy(index: number): number | null;
  stopSamplers(): Promise<void>;
  /** removes what every launch created; safe to call twice */
  cleanup(): Promise<void>;
}

/** An instance that ends this long before the schedule's end stops the others. */
const EARLY_END_MS = 1000;

export async function launchGroup(
  launches: readonly (() => Promise<LaunchedEngine>)[],
  opts: {
    /** wall-clock ms at which the shared schedule ends; null = never stop the others (one instance) */
    scheduleEndMs: number | null;
    onEarlyEnd?: (index: number) => void;
  },
): Promise<GeneratorGroup> {
  // started together: the instances wait for the shared start time themselves
  const settled = await Promise.allSettled(launches.map((launch) => launch()));
  const engines = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(engines.map((e) => e.cleanup().catch(() => undefined)));
    throw failed.reason;
  }
  const ended = new Set<number>();
  const stopped = new Map<number, number>();
  const done = Promise.all(
    engines.map((engine, index) =>
      engine.done.then((code) => {
        ended.add(index);
        const early = opts.scheduleEndMs !== null && Date.now() < opts.scheduleEndMs - EARLY_END_MS;
        if (early && stopped.size === 0 && ended.size < engines.length) {
          opts.onEarlyEnd?.(index);
          engines.forEach((other, j) => {
            if (ended.has(j)) return;
            stopped.set(j, index);
            other.interrupt();
          });
        }
        return code;
      }),
    ),
  );
  return {
    engines,
    control: {
      liveUrl: engines.length === 1 ? engines[0]!.liveUrl : null,
      interrupt: () => engines.forEach((e) => e.interrupt()),
    },
    done,
    stoppedBy: (index) => stopped.get(index) ?? null,
    stopSamplers: async () => {
      await Promise.all(engines.map((e) => e.sampler.stop()));
    },
    cleanup: async () => {
      await Promise.all(engines.map((e) => e.cleanup().catch(() => undefined)));
    },
  };
}

/**
 * The instances' output handlers as one for the watcher: the earliest start marker, and live
 * counters summed once every instance has reported (a partial sum would read as a jump in rate).
 * Each instance's own handler still reads its own lines.
 */
export function combineLines(handlers: readonly LineHandler[]): LineHandler {
  if (handlers.length === 1) return handlers[0]!;
  return {
    onLine: () => undefined,
    t0Ms: () => {
      const known = handlers.map((h) => h.t0Ms()).filter((t): t is number => t !== null);
      return known.length === 0 ? null : Math.min(...known);
    },
    live: () => {
      const readings = handlers.map((h) => h.live());
      if (readings.some((r) => r === null)) return null;
      const list = readings as LiveReading[];
      const p95s = list.map((r) => r.stepP95Ms).filter((p): p is number => p !== null);
      return {
        atMs: Math.max(...list.map((r) => r.atMs)),
        requests: list.reduce((a, r) => a + r.requests, 0),
        failed: list.reduce((a, r) => a + r.failed, 0),
        vus: list.reduce((a, r) => a + r.vus, 0),
        dropped: list.reduce((a, r) => a + r.dropped, 0),
        // live only: the slowest instance's running p95 (the summary's percentiles are merged exactly)
        stepP95Ms: p95s.length === 0 ? null : Math.max(...p95s),
      };
    },
  };
}
