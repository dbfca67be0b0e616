/**
 * The pacer's pure parts: the histogram's percentiles against the sorted samples, a merge of two
 * histograms against one holding all their samples, the due times against the schedule's
 * integral (every step offers exactly its planned requests), and the step judge's rules (a
 * running step ends the run only on a certain failure).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildSchedule, integrateTarget } from '../k6/lib/schedule.js';
import { createArrivals, parseShare, shareSchedule } from '../pacer/arrivals.js';
import { bucketOf, bucketValue, Histogram } from '../pacer/histogram.js';
import { certainFailure, createStepStats, judgeStep } from '../pacer/step-stats.js';

/** a deterministic generator (mulberry32) so a failure reproduces */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function nearestRank(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

describe('histogram', () => {
  test('every value lands in a bucket whose middle is within 0.1 % of it (exact to 2 ms)', () => {
    for (const v of [0, 1, 999, 2047, 2048, 2049, 4095, 4096, 123_457, 9_999_999, 2 ** 30]) {
      const mid = bucketValue(bucketOf(v));
      if (v < 2048) assert.equal(mid, v);
      else assert.ok(Math.abs(mid - v) / v <= 0.001, `${v} -> ${mid}`);
    }
    assert.ok(bucketOf(2 ** 40) > bucketOf(2 ** 30), 'huge values are clamped into the last bucket');
  });

  test('percentiles match the sorted samples to the bucket, and a merge equals one histogram of all samples', () => {
    const random = seeded(7);
    const a: number[] = [];
    const b: number[] = [];
    // two different shapes: a fast mode and a slow tail, like two generator instances
    for (let i = 0; i < 20_000; i++) a.push(Math.round(500 + 3000 * -Math.log(1 - random())));
    for (let i = 0; i < 7_000; i++) b.push(Math.round(80_000 + 400_000 * random()));
    const ha = new Histogram();
    const hb = new Histogram();
    const all = new Histogram();
    for (const v of a) (ha.record(v), all.record(v));
    for (const v of b) (hb.record(v), all.record(v));
    const sorted = [...a, ...b].sort((x, y) => x - y);
    ha.add(hb);
    for (const p of [50, 90, 95, 99, 99.9]) {
      const exact = nearestRank(sorted, p);
      assert.equal(ha.percentileUs(p), all.percentileUs(p), `p${p}: merged = all samples`);
      assert.ok(Math.abs(ha.percentileUs(p) - exact) <= Math.max(1, exact * 0.001), `p${p}: ${ha.percentileUs(p)} vs exact ${exact}`);
    }
    assert.equal(ha.count, sorted.length);
    assert.equal(ha.maxUs, sorted[sorted.length - 1]);
  });

  test('encoded as its non-zero buckets and decoded, it is the same histogram (what a split run merges)', () => {
    const random = seeded(11);
    const h = new Histogram();
    for (let i = 0; i < 5_000; i++) h.record(300 + 90_000 * random() ** 3);
    const data = JSON.parse(JSON.stringify(h.encode())) as ReturnType<Histogram['encode']>;
    assert.ok(data.buckets.length < 5_000 && data.buckets.every(([, c]) => c > 0), 'only the non-zero buckets');
    const back = Histogram.decode(data);
    assert.deepEqual(back.stats(), h.stats());
    assert.deepEqual([...back.counts], [...h.counts]);
    assert.equal(Histogram.decode(new Histogram().encode()).stats().count, 0, 'an empty one too');
    assert.throws(() => Histogram.decode({ ...data, count: data.count + 1 }), /count says/);
  });
});

describe('arrivals', () => {
  const schedule = buildSchedule({ scenario: 'arrival', startUsers: 500, maxUsers: 2000, stepUsers: 500, rates: [], rampS: 3, holdS: 9, thinkMinS: 1, thinkMaxS: 2.5 });

  test('even arrivals: each step offers its planned requests (the integral of its rate), in order, within the schedule', () => {
    const arrivals = createArrivals(schedule);
    const perStep = schedule.steps.map(() => 0);
    let last = -1;
    for (let t = arrivals.next(); t !== null; t = arrivals.next()) {
      assert.ok(t > last, 'due times increase');
      last = t;
      perStep[schedule.steps.findIndex((s) => t < s.endS)]!++;
    }
    assert.ok(last <= schedule.durationS);
    schedule.steps.forEach((s, i) => {
      const planned = integrateTarget(s, s.rampStartS, s.endS);
      assert.ok(Math.abs(perStep[i]! - planned) <= 1, `step ${i}: ${perStep[i]} due, ${planned} planned`);
    });
  });

  test('during a hold the gaps are 1 / rate', () => {
    const arrivals = createArrivals(schedule);
    const hold = schedule.steps[1]!;
    const times: number[] = [];
    for (let t = arrivals.next(); t !== null && t < hold.endS; t = arrivals.next()) if (t > hold.holdStartS) times.push(t);
    for (let i = 1; i < times.length; i++) assert.ok(Math.abs(times[i]! - times[i - 1]! - 1 / hold.target) < 1e-9);
  });

  test("split across 3 instances: even due times dealt round-robin add up to exactly the whole run's", () => {
    const whole: number[] = [];
    const all = createArrivals(schedule);
    for (let t = all.next(); t !== null; t = all.next()) whole.push(t);
    const parts = [0, 1, 2].map((index) => {
      const times: number[] = [];
      const mine = createArrivals(schedule, Math.random, { index, count: 3 });
      for (let t = mine.next(); t !== null; t = mine.next()) times.push(t);
      return times;
    });
    assert.deepEqual(parts.flat().sort((a, b) => a - b), whole, 'the instances together send every due time once');
    parts.forEach((times, index) => assert.deepEqual(times, whole.filter((_, k) => k % 3 === index)));
    // each instance plans a third of every step, and its count is within one request of that
    const share = shareSchedule(schedule, { index: 1, count: 3 });
    share.steps.forEach((s, i) => {
      const planned = integrateTarget(s, s.rampStartS, s.endS);
      assert.ok(Math.abs(planned * 3 - integrateTarget(schedule.steps[i]!, s.rampStartS, s.endS)) < 1e-6);
      const sent = parts[1]!.filter((t) => t >= s.rampStartS && t < s.endS).length;
      assert.ok(Math.abs(sent - planned) <= 1, `step ${i}: ${sent} sent, ${planned} planned`);
    });
    assert.deepEqual(parseShare('1/3'), { index: 1, count: 3 });
    assert.deepEqual(parseShare(undefined), { index: 0, count: 1 });
    assert.throws(() => parseShare('3/3'), /RS_GENERATOR=3\/3/);
  });

  test('poisson arrivals: the counts per step are close to rate x hold', () => {
    const poisson = buildSchedule({ scenario: 'poisson', startUsers: 1, maxUsers: 1, stepUsers: 1, rates: [200, 800], rampS: 0, holdS: 50, thinkMinS: 0, thinkMaxS: 0 });
    const arrivals = createArrivals(poisson, seeded(3));
    const counts = [0, 0];
    for (let t = arrivals.next(); t !== null; t = arrivals.next()) counts[t < 50 ? 0 : 1]!++;
    // mean 10,000 and 40,000, standard deviations 100 and 200: 4 sigma
    assert.ok(Math.abs(counts[0]! - 10_000) < 400, `${counts[0]}`);
    assert.ok(Math.abs(counts[1]! - 40_000) < 800, `${counts[1]}`);
  });
});

describe('judging a step', () => {
  const objective = { p95Ms: 100, p99Ms: null, maxErrorRate: 0.01 };

  test('a finished step: the error rate over the step and the p95 over its hold after the warm-up', () => {
    const s = createStepStats();
    s.requests = 50;
    s.failed = 5;
    assert.match(judgeStep(s, objective)!.reason, /error rate 10\.00 % > 1\.00 %/);
    const slow = createStepStats();
    slow.requests = 200;
    for (let i = 0; i < 200; i++) slow.slo.record(i < 180 ? 20_000 : 150_000);
    const verdict = judgeStep(slow, objective)!;
    assert.equal(verdict.metric, 'rs_slo_latency');
    assert.equal(verdict.threshold, 'p(95)<=100');
    const fine = createStepStats();
    fine.requests = 200;
    for (let i = 0; i < 200; i++) fine.slo.record(20_000);
    assert.equal(judgeStep(fine, objective), null);
  });

  test('a running step stops the run only when its failure is already certain', () => {
    const planned = { requests: 10_000, slo: 6_000 };
    // a burst of 60 errors early in a 10,000-request step: 6 % so far, but under the step's budget of 100
    const burst = createStepStats();
    burst.requests = 1_000;
    burst.failed = 60;
    assert.equal(certainFailure(burst, objective, planned), null);
    burst.failed = 101;
    assert.match(certainFailure(burst, objective, planned)!.reason, /101 failed requests already exceed the step's error budget/);
    // 300 slow answers of 6,000 judged ones is exactly 5 %: p95 can still hold; 301 cannot
    const slow = createStepStats();
    for (let i = 0; i < 300; i++) slow.slo.record(150_000);
    assert.equal(certainFailure(slow, objective, planned), null);
    slow.slo.record(100_001 * 1.01);
    assert.equal(certainFailure(slow, objective, planned)!.threshold, 'p(95)<=100');
    // answers at the objective itself are not over it
    const edge = createStepStats();
    for (let i = 0; i < 1000; i++) edge.slo.record(100_000);
    assert.equal(certainFailure(edge, objective, planned), null);
  });
});
