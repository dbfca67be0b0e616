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

export function createArrivals(schedule: StepSchedule, random: () => number = Math.random): Arrivals {
  return schedule.scenario === 'poisson' ? poissonArrivals(schedule.steps, random) : evenArrivals(schedule.steps);
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
