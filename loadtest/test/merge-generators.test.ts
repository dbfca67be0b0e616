/**
 * One run split across two generator instances, merged (issue 19): the merged percentiles are
 * those of all the instances' samples together (to the bucket), counts and rates are summed,
 * and a step is valid only when every instance was, its reasons naming the instance.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildSchedule } from '../k6/lib/schedule.js';
import { shareSchedule } from '../pacer/arrivals.js';
import { bucketOf, Histogram } from '../pacer/histogram.js';
import { buildSummary } from '../src/build-summary.js';
import { isLoadError } from '../src/errors.js';
import { DEFAULT_HEALTH_RULES, type GeneratorSample } from '../src/generator-health.js';
import { mergeGeneratorRuns, type InstanceRun } from '../src/merge-generators.js';
import type { RawResult, RawStep } from '../src/raw-schema.js';
import { rawResult, rawStep } from './helpers/raw-fixture.js';

const T0 = 1_800_000_000_000;
// arrival: 35 users / 1.75 s = 20 req/s, then 70 users = 40 req/s; 10 s holds, no ramp
const FULL = buildSchedule({ scenario: 'arrival', startUsers: 35, maxUsers: 70, stepUsers: 35, rates: [], rampS: 0, holdS: 10, thinkMinS: 1, thinkMaxS: 2.5 });

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

function histogramOf(samplesUs: readonly number[]): Histogram {
  const h = new Histogram();
  for (const us of samplesUs) h.record(us);
  return h;
}

interface StepInput {
  latenciesUs: number[];
  over?: Partial<RawStep>;
}

/** Instance `index` of 2 as the pacer would report it: its share of the schedule, its steps with their histograms. */
function instance(index: number, steps: StepInput[], samples: GeneratorSample[] = []): InstanceRun {
  const raw: RawResult = {
    ...rawResult({
      steps: steps.map(({ latenciesUs, over }, i) => {
        const h = histogramOf(latenciesUs);
        return rawStep(i, latenciesUs.length, {
          latency: h.stats(),
          slo_latency: h.stats(),
          started: latenciesUs.length,
          dropped: 0,
          histograms: { latency: h.encode(), slo_latency: h.encode(), send_lag: new Histogram().encode() },
          ...over,
        });
      }),
    }),
    engine: 'pacer',
    scenario: 'arrival',
    plan: shareSchedule(FULL, { index, count: 2 }),
    think_time_s: null,
    test_run_duration_ms: FULL.durationS * 1000 + 200,
  };
  const summary = buildSummary({ raw, samples, engineVersion: '0.1.0', fallbackT0Ms: 0, rules: DEFAULT_HEALTH_RULES, interrupted: null });
  return { raw, summary };
}

function nearestRank(sorted: readonly number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

describe('merging generator instances', () => {
  test("the merged percentiles are those of both instances' samples together, to the bucket (never averaged)", () => {
    const random = seeded(19);
    // different shapes on purpose: instance 1 fast and tight, instance 2 slower with a long tail
    const fast = (n: number) => Array.from({ length: n }, () => 800 + random() * 4_000);
    const slow = (n: number) => Array.from({ length: n }, () => (random() < 0.9 ? 3_000 + random() * 20_000 : 50_000 + random() * 400_000));
    const a = [fast(200), fast(400)];
    const b = [slow(200), slow(400)];
    const merged = mergeGeneratorRuns({ schedule: FULL, runs: [instance(0, a.map((l) => ({ latenciesUs: l }))), instance(1, b.map((l) => ({ latenciesUs: l })))] });

    for (const i of [0, 1]) {
      const all = [...a[i]!, ...b[i]!];
      const oneHistogram = histogramOf(all).stats();
      const got = merged.steps[i]!.latency_ms;
      for (const k of ['p50', 'p90', 'p95', 'p99', 'max', 'avg'] as const) {
        assert.equal(got[k], Math.round(oneHistogram[k] * 1000) / 1000, `step ${i} ${k}: the merge equals one histogram of all the samples`);
      }
      const sorted = all.slice().sort((x, y) => x - y);
      for (const p of [50, 90, 95, 99, 100] as const) {
        const key = p === 100 ? 'max' : (`p${p}` as const);
        assert.equal(bucketOf(got[key] * 1000), bucketOf(nearestRank(sorted, p)), `step ${i} p${p} is the sorted samples' nearest rank, to the bucket`);
      }
      const averaged = (instanceP95(a[i]!) + instanceP95(b[i]!)) / 2;
      assert.ok(Math.abs(averaged - got.p95) > 1, `averaging the instances' p95 (${averaged}) would have been wrong (${got.p95})`);
    }
    const everything = histogramOf([...a.flat(), ...b.flat()]).stats();
    assert.equal(merged.totals.latency_ms.p99, Math.round(everything.p99 * 1000) / 1000, "the run's p99 covers every sample of every step and instance");
    assert.equal(merged.totals.latency_ms.max, Math.round(everything.max * 1000) / 1000);
  });

  test('counts and rates are summed; a step is valid only when every instance was, and the reasons name the instance', () => {
    const ok = (n: number) => Array.from({ length: n }, (_, k) => 5_000 + k);
    const first = instance(0, [
      { latenciesUs: ok(100), over: { failed: 2, errors: { http4xx: 0, http5xx: 2, timeouts: 0, connection: 0 }, checks: { passes: 5, fails: 0 } } },
      { latenciesUs: ok(200), over: { checks: { passes: 10, fails: 0 } } },
    ]);
    // instance 2's CPU is over its share during the second step (10-20 s)
    const busy = [12, 14, 16, 18].map((s) => ({ atMs: T0 + s * 1000, source: 'gen-1', cpuPct: 95, memBytes: 64 * 2 ** 20 }));
    const second = instance(
      1,
      [
        { latenciesUs: ok(98), over: { failed: 1, errors: { http4xx: 0, http5xx: 0, timeouts: 1, connection: 0 }, checks: { passes: 5, fails: 0 } } },
        { latenciesUs: ok(200), over: { checks: { passes: 9, fails: 1 } } },
      ],
      busy,
    );
    const merged = mergeGeneratorRuns({ schedule: FULL, runs: [first, second] });

    assert.equal(merged.generators, 2);
    const [s0, s1] = merged.steps;
    assert.equal(s0!.target.value, 20, "the merged step's target is the whole run's rate, not a share");
    assert.equal(s0!.requests, 198);
    assert.equal(s0!.rps, first.summary.steps[0]!.rps + second.summary.steps[0]!.rps);
    assert.equal(s0!.rps, 19.8);
    assert.equal(s0!.offered_rps, 20, 'each instance offered half');
    assert.equal(first.summary.steps[0]!.offered_rps, 10);
    assert.deepEqual(s0!.errors, { total: 3, rate: 3 / 198, http4xx: 0, http5xx: 2, timeouts: 1, connection: 0 });
    assert.deepEqual(s0!.checks, { passes: 10, fails: 0 });
    assert.equal(s0!.generator.achieved_ratio, 0.99);
    assert.equal(s0!.generator.valid, true);
    assert.deepEqual(s0!.generator.instances?.map((h) => h.valid), [true, true]);
    assert.deepEqual(s1!.checks, { passes: 19, fails: 1 });
    assert.equal(s1!.rps, 40);

    assert.equal(s1!.generator.valid, false, 'one unhealthy instance invalidates the merged step');
    assert.deepEqual(s1!.generator.reasons, ['generator 2 of 2: generator cpu 95% > 80% of its share']);
    assert.deepEqual(s1!.generator.instances?.map((h) => h.valid), [true, false]);
    assert.equal(s1!.generator.cpu_pct_avg, 95, "the busiest instance's CPU");

    assert.equal(merged.totals.requests, first.summary.totals.requests + second.summary.totals.requests);
    assert.equal(merged.totals.errors.total, 3);
    assert.equal(merged.aborted, false);
  });

  test('an instance that broke the objective is named in the abort reason', () => {
    const ok = Array.from({ length: 50 }, () => 5_000);
    const broke = instance(1, [{ latenciesUs: ok }]);
    const brokeRaw: RawResult = { ...broke.raw, test_run_duration_ms: 6000, abort: { step: 0, reason: 'step 0 broke the objective: p95 250.0 ms > 200 ms' } };
    const runs = [instance(0, [{ latenciesUs: ok }]), { raw: brokeRaw, summary: buildSummary({ raw: brokeRaw, samples: [], engineVersion: '0.1.0', fallbackT0Ms: 0, rules: DEFAULT_HEALTH_RULES, interrupted: null }) }];
    const merged = mergeGeneratorRuns({ schedule: FULL, runs });
    assert.equal(merged.aborted, true);
    assert.equal(merged.abort_reason, 'generator 2 of 2: step 0 broke the objective: p95 250.0 ms > 200 ms');
    assert.equal(merged.steps[0]!.completed, false);

    // the runner stopped instance 1 because of it; even if instance 1's clock says it ended first, the reason is instance 2's own
    const stoppedRaw: RawResult = { ...instance(0, [{ latenciesUs: ok }]).raw, test_run_duration_ms: 5990 };
    const why = "stopped with generator 2 of 2, which ended before the schedule's end";
    const stopped = { raw: stoppedRaw, summary: buildSummary({ raw: stoppedRaw, samples: [], engineVersion: '0.1.0', fallbackT0Ms: 0, rules: DEFAULT_HEALTH_RULES, interrupted: why }), stoppedByGroup: true };
    assert.equal(stopped.summary.abort_reason, why);
    const both = mergeGeneratorRuns({ schedule: FULL, runs: [stopped, runs[1]!] });
    assert.equal(both.abort_reason, 'generator 2 of 2: step 0 broke the objective: p95 250.0 ms > 200 ms');
  });

  test('an instance without histograms is refused, not approximated', () => {
    const run = instance(0, [{ latenciesUs: [5_000, 6_000] }]);
    const bare: RawResult = { ...run.raw, steps: run.raw.steps.map(({ histograms: _h, ...rest }) => rest) };
    assert.throws(
      () => mergeGeneratorRuns({ schedule: FULL, runs: [instance(1, [{ latenciesUs: [5_000] }]), { raw: bare, summary: run.summary }] }),
      (err: unknown) => isLoadError(err, 'LOAD_ERR_BAD_RESULT') && /generator 2 of 2, step 0/.test(err.message),
    );
  });
});

function instanceP95(samplesUs: readonly number[]): number {
  return histogramOf(samplesUs).stats().p95;
}
