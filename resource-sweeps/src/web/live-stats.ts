/**
 * Live statistics, pure: a per-second ring buffer covering the last hour, and the finished
 * steps' latency.
 *
 * What goes in is what the load runner gives while it runs: once a second, req/s and
 * failures/s (k6's REST counters or Locust's own, by difference), the users running, and the
 * running step's p95 so far (k6's step sub-metric, Locust's step histogram); the balancer's mean
 * response time (HAProxy's `rtime`, over its last 1024 requests) when a balancer is known. A
 * running step's p95 is over that step only, so it cannot be combined into a window; exact
 * percentiles exist per finished step (the load summary: p50/p90/p95/p99 over every request of
 * the step). A window's percentile is therefore reported two ways over the steps that ended in
 * it: `upper`, the largest step percentile, which is a proven upper bound (the q-quantile of a
 * mixture never exceeds the largest component's q-quantile), and `weighted`, the steps'
 * percentiles averaged by request count, an approximation that is exact when the steps agree.
 */

export const WINDOWS = [
  { name: '1m', seconds: 60 },
  { name: '5m', seconds: 300 },
  { name: '1h', seconds: 3600 },
] as const;
export type WindowName = (typeof WINDOWS)[number]['name'];

/** Latency of one finished step, from the load summary. */
export interface StepLatency {
  /** wall clock, ms */
  start_ms: number;
  end_ms: number;
  users: number;
  requests: number;
  failures: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  /** e.g. `trial #3` or `swarm` */
  source: string;
}

export interface RateReading {
  at_ms: number;
  /** seconds this reading covers (the time since the previous reading) */
  dt_s: number;
  rps: number;
  failed_per_s: number;
  users: number;
  /** p95 of the running step's requests so far, when the load runner tells it */
  step_p95_ms?: number | null;
}

export interface Bounded {
  weighted: number;
  upper: number;
}

export interface WindowStats {
  window_s: number;
  /** seconds in the window with a load reading */
  seconds_with_load: number;
  /** integrated from the per-second rates (exact per-step counts come with the steps) */
  requests: number;
  failures: number;
  fail_ratio: number | null;
  /** requests / seconds_with_load */
  rps_mean: number | null;
  rps_peak: number | null;
  users_peak: number | null;
  /** HAProxy's mean response time, averaged over the seconds it was read */
  balancer_response_time_ms: number | null;
  /** steps that ended in the window; null when none did */
  latency: { steps: number; requests: number; p50_ms: Bounded; p95_ms: Bounded; p99_ms: Bounded; max_ms: number } | null;
}

export interface LiveStats {
  recordRates(reading: RateReading): void;
  recordBalancer(reading: { at_ms: number; response_time_ms: number }): void;
  recordSteps(steps: readonly StepLatency[]): void;
  windows(nowMs: number): Record<WindowName, WindowStats>;
  /** mean req/s and failures/s over the last `seconds` complete seconds (Locust's "current") */
  current(nowMs: number, seconds?: number): { rps: number; failed_per_s: number; users: number; step_p95_ms: number | null };
  /** steps that ended at or after `sinceMs`, oldest first */
  stepsSince(sinceMs: number): StepLatency[];
  /** starts the counters of a new run (Locust resets its statistics on each swarm) */
  beginRun(atMs: number): void;
  /** requests and failures since beginRun, integrated from the rates */
  totals(): { requests: number; failures: number; since_ms: number | null };
}

export function combineSteps(steps: readonly StepLatency[]): WindowStats['latency'] {
  const counted = steps.filter((s) => s.requests > 0);
  if (counted.length === 0) return null;
  const requests = counted.reduce((a, s) => a + s.requests, 0);
  const bound = (pick: (s: StepLatency) => number): Bounded => ({
    weighted: counted.reduce((a, s) => a + pick(s) * s.requests, 0) / requests,
    upper: Math.max(...counted.map(pick)),
  });
  return { steps: counted.length, requests, p50_ms: bound((s) => s.p50_ms), p95_ms: bound((s) => s.p95_ms), p99_ms: bound((s) => s.p99_ms), max_ms: Math.max(...counted.map((s) => s.max_ms)) };
}

export function createLiveStats(options: { capacityS?: number } = {}): LiveStats {
  const n = options.capacityS ?? 3600;
  // slot i holds second secs[i]; a slot whose second is not the one asked for is empty (stale)
  const secs = new Float64Array(n).fill(-1);
  const requests = new Float64Array(n);
  const failures = new Float64Array(n);
  const loadSeen = new Uint8Array(n);
  const usersMax = new Float64Array(n);
  const rpsMax = new Float64Array(n);
  const rtimeSum = new Float64Array(n);
  const rtimeCount = new Float64Array(n);
  let steps: StepLatency[] = [];
  let lastUsers = 0;
  let lastStepP95: number | null = null;
  let lastAt = 0;
  const run = { requests: 0, failures: 0, since_ms: null as number | null };

  const slot = (sec: number): number => {
    const i = ((sec % n) + n) % n;
    if (secs[i] !== sec) {
      secs[i] = sec;
      requests[i] = failures[i] = usersMax[i] = rpsMax[i] = rtimeSum[i] = rtimeCount[i] = 0;
      loadSeen[i] = 0;
    }
    return i;
  };
  const valid = (sec: number): number | null => {
    const i = ((sec % n) + n) % n;
    return secs[i] === sec ? i : null;
  };

  return {
    recordRates(r) {
      const dt = Math.min(Math.max(r.dt_s, 0), 5);
      const i = slot(Math.floor(r.at_ms / 1000));
      requests[i] = (requests[i] as number) + Math.max(0, r.rps) * dt;
      failures[i] = (failures[i] as number) + Math.max(0, r.failed_per_s) * dt;
      usersMax[i] = Math.max(usersMax[i] as number, r.users);
      rpsMax[i] = Math.max(rpsMax[i] as number, r.rps);
      loadSeen[i] = 1;
      run.requests += Math.max(0, r.rps) * dt;
      run.failures += Math.max(0, r.failed_per_s) * dt;
      lastUsers = r.users;
      lastStepP95 = r.step_p95_ms ?? null;
      lastAt = r.at_ms;
    },
    recordBalancer(r) {
      const i = slot(Math.floor(r.at_ms / 1000));
      rtimeSum[i] = (rtimeSum[i] as number) + r.response_time_ms;
      rtimeCount[i] = (rtimeCount[i] as number) + 1;
    },
    recordSteps(list) {
      steps.push(...list);
      steps.sort((a, b) => a.end_ms - b.end_ms);
      // the longest window is an hour: older steps can never be asked for again
      const horizon = Math.max(...list.map((s) => s.end_ms), 0) - n * 1000;
      steps = steps.filter((s) => s.end_ms >= horizon);
    },
    windows(nowMs) {
      const nowSec = Math.floor(nowMs / 1000);
      const out = {} as Record<WindowName, WindowStats>;
      for (const w of WINDOWS) {
        let req = 0;
        let fail = 0;
        let seen = 0;
        let rpsPeak: number | null = null;
        let usersPeak: number | null = null;
        let rtSum = 0;
        let rtSeconds = 0;
        for (let sec = nowSec - Math.min(w.seconds, n) + 1; sec <= nowSec; sec++) {
          const i = valid(sec);
          if (i === null) continue;
          if (loadSeen[i]) {
            seen++;
            req += requests[i] as number;
            fail += failures[i] as number;
            rpsPeak = Math.max(rpsPeak ?? 0, rpsMax[i] as number);
            usersPeak = Math.max(usersPeak ?? 0, usersMax[i] as number);
          }
          if ((rtimeCount[i] as number) > 0) {
            rtSum += (rtimeSum[i] as number) / (rtimeCount[i] as number);
            rtSeconds++;
          }
        }
        const inWindow = steps.filter((s) => s.end_ms > nowMs - w.seconds * 1000 && s.end_ms <= nowMs);
        out[w.name] = {
          window_s: w.seconds,
          seconds_with_load: seen,
          requests: Math.round(req),
          failures: Math.round(fail),
          fail_ratio: req > 0 ? fail / req : null,
          rps_mean: seen > 0 ? req / seen : null,
          rps_peak: rpsPeak,
          users_peak: usersPeak,
          balancer_response_time_ms: rtSeconds > 0 ? rtSum / rtSeconds : null,
          latency: combineSteps(inWindow),
        };
      }
      return out;
    },
    current(nowMs, seconds = 10) {
      // the second in progress is incomplete: average the `seconds` complete ones before it
      const nowSec = Math.floor(nowMs / 1000);
      let req = 0;
      let fail = 0;
      for (let sec = nowSec - seconds; sec < nowSec; sec++) {
        const i = valid(sec);
        if (i === null) continue;
        req += requests[i] as number;
        fail += failures[i] as number;
      }
      const stale = nowMs - lastAt > 5000;
      return { rps: req / seconds, failed_per_s: fail / seconds, users: stale ? 0 : lastUsers, step_p95_ms: stale ? null : lastStepP95 };
    },
    stepsSince(sinceMs) {
      return steps.filter((s) => s.end_ms >= sinceMs);
    },
    beginRun(atMs) {
      Object.assign(run, { requests: 0, failures: 0, since_ms: atMs });
      lastUsers = 0;
      lastStepP95 = null;
    },
    totals: () => ({ ...run }),
  };
}
