import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_HEALTH_RULES, stepHealth, type GeneratorSample } from '../src/generator-health.js';
import { readSchedstat, waitShare } from '../src/sampling/schedstat.js';
import { countCpuList } from '../src/sampling/proc-sampler.js';

const sample = (atMs: number, over: Partial<GeneratorSample> = {}): GeneratorSample => ({ atMs, source: 'k6', cpuPct: 30, memBytes: 2 ** 30, cpuWaitPct: 5, ...over });
const health = (samples: GeneratorSample[], over: { dropped?: number; achievedRatio?: number | null } = {}) =>
  stepHealth({ samples, fromMs: 0, toMs: 10_000, dropped: over.dropped ?? 0, achievedRatio: over.achievedRatio ?? null, rules: DEFAULT_HEALTH_RULES });

test('a healthy generator is valid and its numbers are reported', () => {
  const h = health([sample(1000), sample(2000, { cpuPct: 50, memBytes: 2 ** 31 })]);
  assert.deepEqual(h, { cpu_pct_avg: 40, cpu_pct_max: 50, mem_mb_max: 2048, cpu_wait_pct: 5, achieved_ratio: null, valid: true, reasons: [] });
});

test('time spent waiting for a CPU is reported, and judged only when a limit is set', () => {
  const samples = [sample(1000, { cpuWaitPct: 40 }), sample(2000, { cpuWaitPct: 30 })];
  const reported = health(samples);
  assert.equal(reported.cpu_wait_pct, 35);
  assert.equal(reported.valid, true);
  const judged = stepHealth({ samples, fromMs: 0, toMs: 10_000, dropped: 0, achievedRatio: null, rules: { ...DEFAULT_HEALTH_RULES, maxCpuWaitPct: 25 } });
  assert.equal(judged.valid, false);
  assert.match(judged.reasons[0]!, /waited for a CPU 35% of its runnable time > 25%/);
});

test('only samples inside the step window count, and the busiest of several sources decides', () => {
  const h = health([sample(-500, { cpuPct: 99 }), sample(1000, { source: 'worker-1', cpuPct: 90 }), sample(1000, { source: 'worker-2', cpuPct: 10 }), sample(20_000, { cpuPct: 99 })]);
  assert.equal(h.cpu_pct_avg, 90);
  assert.equal(h.mem_mb_max, 2048, 'memory adds up over sources');
  assert.deepEqual(h.reasons, ['generator cpu 90% > 80% of its share']);
});

test('a step without samples has no CPU numbers and is judged on counts only', () => {
  assert.deepEqual(health([], { dropped: 3 }).reasons, ['dropped_iterations=3']);
  assert.equal(health([]).cpu_pct_avg, null);
});

test('the wait share comes from schedstat deltas', async () => {
  assert.equal(waitShare({ runNs: 0, waitNs: 0 }, { runNs: 3e9, waitNs: 1e9 }), 25);
  assert.equal(waitShare({ runNs: 5, waitNs: 5 }, { runNs: 5, waitNs: 5 }), 0);
  const mine = await readSchedstat(process.pid);
  assert.ok(mine && mine.runNs > 0, 'this process has run');
  assert.equal(await readSchedstat(2 ** 30), null);
});

test('a short step is not called saturated for falling short by chance', () => {
  const judge = (ratio: number, requests: number, poisson: boolean) =>
    stepHealth({ samples: [], fromMs: 0, toMs: 1, dropped: 0, achievedRatio: ratio, expected: { requests, poisson }, rules: DEFAULT_HEALTH_RULES }).valid;
  // Poisson, 90 expected: 3 standard deviations is 28 requests
  assert.equal(judge(0.8, 90, true), true);
  assert.equal(judge(0.6, 90, true), false);
  // large counts: the 95 % rule
  assert.equal(judge(0.96, 100_000, true), true);
  assert.equal(judge(0.94, 100_000, true), false);
  // evenly spaced arrivals: two requests of boundary jitter
  assert.equal(judge(0.95, 40, false), true);
  assert.equal(judge(0.9, 40, false), false);
});

test('cpu lists count cores', () => {
  assert.equal(countCpuList('0-3,6'), 5);
  assert.equal(countCpuList('1'), 1);
});

test("the pacer's send lag is reported, and a lag that takes more than 10 % of the latency objective makes the step invalid", () => {
  const judge = (p95Ms: number, objectiveMs: number | null) =>
    stepHealth({ samples: [sample(1000)], fromMs: 0, toMs: 10_000, dropped: 0, achievedRatio: 1, sendLag: { p95Ms, objectiveMs }, rules: DEFAULT_HEALTH_RULES });
  const fine = judge(2.04, 200);
  assert.equal(fine.valid, true);
  assert.equal(fine.send_lag_p95_ms, 2);
  const late = judge(35, 200);
  assert.equal(late.valid, false);
  assert.match(late.reasons[0]!, /generator sent late: p95 35 ms behind schedule > 10% of the 200 ms objective/);
  assert.equal(judge(35, null).valid, true, 'without a latency objective the lag is reported only');
  assert.equal(health([sample(1000)]).send_lag_p95_ms, undefined, 'engines that do not measure it report none');
});
