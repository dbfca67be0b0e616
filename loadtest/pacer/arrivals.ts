/**
 * When each request is due: the open model's send times, decided in advance and never moved by
 * the server's latency. `arrival` spaces requests evenly at the step's rate, which ramps
 * linearly from the previous step's rate and then holds (k6's ramping-arrival-rate offers the
 * same load); `poisson` draws exponential gaps at each step's constant rate. The generator
 * measures every latency from these times, so a request it sends late is late for the user too
 * (no coordinated omission), and how late it sent is measured on its own.
 */
import type { ScheduledStep, StepSchedule } from '../k6/lib/schedule.ts';

export interface Arrivals {
  /** due time of the next request, seconds after the start; null after the last step */
  next(): number | null;
}

/** Which of `count` generator instances splitting one run this one is (0-based). */
export interface GeneratorShare {
  index: number;
  count: number;
}
export const WHOLE_RUN: Readonly<GeneratorShare> = Object.freeze({ index: 0, count: 1 });

/**
 * The arrivals of one instance's share of the run. `arrival`: the whole run's evenly spaced
 * due times dealt round-robin (instance i sends the k-th request when k mod N = i), so the
 * instances together send exactly the due times one generator would, interleaved, not N
 * requests at once. `poisson`: Poisson arrivals at each rate / N; N independent Poisson streams
 * add up to one at the full rate.
 */
export function createArrivals(schedule: StepSchedule, random: () => number = Math.random, share: GeneratorShare = WHOLE_RUN): Arrivals {
  if (schedule.scenario === 'poisson') return poissonArrivals(shareSchedule(schedule, share).steps, random);
  const all = evenArrivals(schedule.steps);
  if (share.count === 1) return all;
  let k = 0;
  return {
    next() {
      for (;;) {
        const t = all.next();
        if (t === null || k++ % share.count === share.index) return t;
      }
    },
  };
}

/**
 * The schedule one instance offers: every rate divided by N, times unchanged (each instance
 * plans, judges and reports its own share; the runner merges them back to the whole run).
 * Not rounded, so the instances' planned requests add up exactly to the whole run's.
 */
export function shareSchedule(schedule: StepSchedule, share: GeneratorShare): StepSchedule {
  if (share.count === 1) return schedule;
  return { ...schedule, steps: schedule.steps.map((s) => ({ ...s, target: s.target / share.count, previous: s.previous / share.count })) };
}

/** `RS_GENERATOR=i/N` -> the share; unset = the whole run. Throws naming the variable. */
export function parseShare(text: string | undefined): GeneratorShare {
  if (text === undefined || text.trim() === '') return WHOLE_RUN;
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const share = m ? { index: Number(m[1]), count: Number(m[2]) } : null;
  if (share === null || share.count < 1 || share.index >= share.count) throw new Error(`RS_GENERATOR=${text}: expected i/N with 0 <= i < N (this instance of N)`);
  return share;
}

/**
 * Even spacing: the k-th request is due when the integral of the rate reaches k. Within a
 * segment whose rate goes linearly from r0 with slope m, the time x after its start at which the
 * integral grows by `need` solves r0·x + m·x²/2 = need.
 */
function evenArrivals(steps: readonly ScheduledStep[]): Arrivals {
  const segments = steps.flatMap((s) => [
    { from: s.rampStartS, to: s.holdStartS, r0: s.previous, r1: s.target },
    { from: s.holdStartS, to: s.endS, r0: s.target, r1: s.target },
  ]).filter((g) => g.to > g.from);
  let seg = 0;
  let t = 0;
  return {
    next() {
      let need = 1;
      while (seg < segments.length) {
        const g = segments[seg]!;
        const start = Math.max(t, g.from);
        const m = (g.r1 - g.r0) / (g.to - g.from);
        const r = g.r0 + m * (start - g.from);
        const left = (r + g.r0 + m * (g.to - g.from)) / 2 * (g.to - start);
        if (left >= need) {
          const x = Math.abs(m) < 1e-12 ? need / r : (-r + Math.sqrt(Math.max(0, r * r + 2 * m * need))) / m;
          t = start + x;
          return t;
        }
        need -= left;
        t = g.to;
        seg++;
      }
      return null;
    },
  };
}

function poissonArrivals(steps: readonly ScheduledStep[], random: () => number): Arrivals {
  let i = 0;
  let t = steps[0]?.rampStartS ?? 0;
  return {
    next() {
      while (i < steps.length) {
        const step = steps[i]!;
        t = Math.max(t, step.rampStartS) + -Math.log(1 - random()) / step.target;
        if (t < step.endS) return t;
        t = step.endS;
        i++;
      }
      return null;
    },
  };
}
