import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combineSteps, createLiveStats, type StepLatency } from '../../src/web/live-stats.js';

const T0 = 1_800_000_000_000;

function step(endS: number, requests: number, p95: number, over: Partial<StepLatency> = {}): StepLatency {
  return { start_ms: T0 + (endS - 10) * 1000, end_ms: T0 + endS * 1000, users: 100, requests, failures: 0, p50_ms: p95 / 2, p95_ms: p95, p99_ms: p95 * 1.5, max_ms: p95 * 3, source: 'test', ...over };
}

test('windows sum the per-second rates over 1 min, 5 min and 1 h', () => {
  const stats = createLiveStats();
  // 10 minutes at 50 req/s with 1 failure/s, one reading a second
  for (let s = 0; s < 600; s++) stats.recordRates({ at_ms: T0 + s * 1000, dt_s: 1, rps: 50, failed_per_s: 1, users: 100 });
  const w = stats.windows(T0 + 599_500);
  assert.equal(w['1m'].seconds_with_load, 60);
  assert.equal(w['1m'].requests, 3000);
  assert.equal(w['5m'].requests, 15_000);
  assert.equal(w['1h'].requests, 30_000);
  assert.equal(w['1h'].seconds_with_load, 600);
  assert.ok(Math.abs((w['5m'].fail_ratio ?? 0) - 0.02) < 1e-9);
  assert.equal(w['1m'].rps_mean, 50);
  assert.equal(w['1m'].users_peak, 100);
});

test('seconds older than the ring are forgotten, not counted twice', () => {
  const stats = createLiveStats({ capacityS: 60 });
  for (let s = 0; s < 120; s++) stats.recordRates({ at_ms: T0 + s * 1000, dt_s: 1, rps: s < 60 ? 1000 : 10, failed_per_s: 0, users: 1 });
  const w = stats.windows(T0 + 119_000);
  assert.equal(w['1m'].requests, 600, 'only the last minute, at 10 req/s');
  assert.equal(w['1h'].requests, 600, 'a 60-slot ring cannot remember an hour');
});

test('a window with no load says so with nulls, not zeros that look measured', () => {
  const w = createLiveStats().windows(T0);
  assert.equal(w['1m'].rps_mean, null);
  assert.equal(w['1m'].fail_ratio, null);
  assert.equal(w['1m'].latency, null);
});

test('window percentiles: the upper bound is the largest step percentile, the weighted one is count-weighted', () => {
  const combined = combineSteps([step(10, 100, 50), step(20, 300, 150)]);
  assert.ok(combined);
  assert.equal(combined.p95_ms.upper, 150);
  assert.equal(combined.p95_ms.weighted, (100 * 50 + 300 * 150) / 400);
  assert.equal(combined.requests, 400);
  assert.equal(combinedOf([]), null);
  // the bound is honest: the p95 of the pooled requests never exceeds it
  const a = Array.from({ length: 1000 }, (_, i) => i / 10); // step A: 0..100 ms
  const b = Array.from({ length: 3000 }, (_, i) => 50 + i / 20); // step B: 50..200 ms
  const q = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.ceil(0.95 * xs.length) - 1] as number;
  const bound = combineSteps([step(10, a.length, q(a)), step(20, b.length, q(b))]);
  assert.ok(q([...a, ...b]) <= (bound?.p95_ms.upper ?? 0));
});

function combinedOf(steps: StepLatency[]) {
  return combineSteps(steps);
}

test('steps count in the windows they ended in', () => {
  const stats = createLiveStats();
  stats.recordSteps([step(0, 100, 40), step(200, 100, 80), step(590, 100, 120)]);
  const w = stats.windows(T0 + 600_000);
  assert.equal(w['1m'].latency?.steps, 1);
  assert.equal(w['1m'].latency?.p95_ms.upper, 120);
  assert.equal(w['5m'].latency?.steps, 1);
  assert.equal(w['1h'].latency?.steps, 3);
  assert.equal(w['1h'].latency?.p95_ms.upper, 120);
});

test('current rates are the mean of the last complete seconds; run totals restart with each run', () => {
  const stats = createLiveStats();
  stats.beginRun(T0);
  for (let s = 0; s < 20; s++) stats.recordRates({ at_ms: T0 + s * 1000 + 100, dt_s: 1, rps: s < 10 ? 10 : 30, failed_per_s: s < 10 ? 0 : 3, users: 7 });
  const now = stats.current(T0 + 20_500);
  assert.equal(now.rps, 30);
  assert.equal(now.failed_per_s, 3);
  assert.equal(now.users, 7);
  assert.equal(Math.round(stats.totals().requests), 400);
  stats.beginRun(T0 + 21_000);
  assert.equal(stats.totals().requests, 0);
});

test('the balancer response time is averaged over the seconds it was read', () => {
  const stats = createLiveStats();
  stats.recordBalancer({ at_ms: T0 + 1000, response_time_ms: 10 });
  stats.recordBalancer({ at_ms: T0 + 1500, response_time_ms: 20 });
  stats.recordBalancer({ at_ms: T0 + 2000, response_time_ms: 45 });
  assert.equal(stats.windows(T0 + 2500)['1m'].balancer_response_time_ms, 30);
});
