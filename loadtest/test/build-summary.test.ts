import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSummary, placeDropped } from '../src/build-summary.js';
import { DEFAULT_HEALTH_RULES, type GeneratorSample } from '../src/generator-health.js';
import { parseLoadSummary } from '../src/summary-schema.js';
import { rawResult, rawStep } from './helpers/raw-fixture.js';

const T0 = 1_800_000_000_000;
const build = (raw: ReturnType<typeof rawResult>, samples: GeneratorSample[] = [], interrupted: string | null = null) =>
  buildSummary({ raw, samples, engineVersion: '1.8.1', fallbackT0Ms: 0, rules: DEFAULT_HEALTH_RULES, interrupted });

test('a complete run becomes a valid summary whose steps add up to the totals', () => {
  const s = build(rawResult({ steps: [rawStep(0, 60), rawStep(1, 130), rawStep(2, 190)] }));
  assert.deepEqual(parseLoadSummary(JSON.parse(JSON.stringify(s))), s);
  assert.equal(s.steps.length, 3);
  assert.equal(s.steps.reduce((a, st) => a + st.requests, 0), s.totals.requests);
  assert.equal(s.aborted, false);
  assert.equal(s.abort_reason, null);
  assert.ok(s.steps.every((st) => st.completed && st.generator.valid));
  assert.equal(s.steps[1]!.rps, 13); // 130 requests over the 10 s window
  assert.equal(s.started_at, new Date(T0).toISOString());
});

test('the closed model estimates the offered rate from users, think time and latency, and does not judge it', () => {
  const s = build(rawResult({ steps: [rawStep(0, 60)] }));
  // mean users over ramp 2 s (0 -> 10) + hold 8 s at 10 = 9; cycle = 1.75 s think + 10 ms avg latency
  assert.equal(s.steps[0]!.offered_rps, Math.round((9 / 1.76) * 1000) / 1000);
  assert.equal(s.steps[0]!.generator.achieved_ratio, null);
});

test('a threshold abort names the first step that broke the objective and marks it incomplete', () => {
  const raw = rawResult({
    steps: [rawStep(0, 60), rawStep(1, 40, { slo_latency: { avg: 150, p50: 140, p90: 230, p95: 250.4, p99: 300, max: 400, count: 30 } })],
    runMs: 15_000,
    failed: [{ metric: 'rs_slo_latency{step:1}', threshold: 'p(95)<=200' }],
  });
  const s = build(raw);
  assert.equal(s.aborted, true);
  assert.equal(s.abort_reason, 'objective broken at 20 users (step index 1): p(95)<=200 crossed (p95 250.4 ms)');
  assert.deepEqual(s.steps.map((st) => st.completed), [true, false]);
  assert.equal(s.steps.length, 2, 'the step that never started is left out');
  assert.equal(s.steps[1]!.rps, 8); // 40 requests in the 5 s it ran
});

test('an error-rate abort is reported with the measured rate', () => {
  const raw = rawResult({
    steps: [rawStep(0, 60), rawStep(1, 40, { slo_error_rate: 0.05, errors: { http4xx: 0, http5xx: 2, timeouts: 0, connection: 0 } })],
    runMs: 14_000,
    failed: [{ metric: 'http_req_failed{step:1}', threshold: 'rate<=0.01' }],
  });
  assert.equal(build(raw).abort_reason, 'objective broken at 20 users (step index 1): rate<=0.01 crossed (error rate 5.00%)');
});

test('an interrupted run keeps what was measured and says why it ended', () => {
  const s = build(rawResult({ steps: [rawStep(0, 30)], runMs: 5000 }), [], 'interrupted: the run was stopped before its last step (Ctrl-C or the caller)');
  assert.equal(s.aborted, true);
  assert.match(s.abort_reason!, /^interrupted/);
  assert.equal(s.steps[0]!.requests, 30);
  assert.equal(s.steps[0]!.completed, false);
});

test('a generator over 80 % of its CPU share makes the step invalid, not failed', () => {
  const at = (s: number) => T0 + s * 1000;
  const samples = [1, 2, 3, 4].map((s) => ({ atMs: at(s), source: 'k6', cpuPct: 50, memBytes: 100 * 2 ** 20 }));
  samples.push(...[11, 12, 13, 14].map((s) => ({ atMs: at(s), source: 'k6', cpuPct: 95, memBytes: 300 * 2 ** 20 })));
  const s = build(rawResult({ steps: [rawStep(0, 60), rawStep(1, 120)], plan: { maxUsers: 20 } }), samples);
  assert.equal(s.steps[0]!.generator.valid, true);
  assert.equal(s.steps[0]!.generator.cpu_pct_avg, 50);
  assert.equal(s.steps[1]!.generator.valid, false);
  assert.deepEqual(s.steps[1]!.generator.reasons, ['generator cpu 95% > 80% of its share']);
  assert.equal(s.steps[1]!.generator.mem_mb_max, 300);
  assert.equal(s.steps[1]!.errors.total, 0, 'the API is not blamed');
});

test('open model: under 95 % of the offered rate makes the step invalid', () => {
  const plan = { scenario: 'arrival' as const, startUsers: 35, maxUsers: 35, rampS: 0, holdS: 10, thinkMinS: 1, thinkMaxS: 2.5 };
  // 35 users / 1.75 s = 20 req/s offered for 10 s = 200 expected
  const ok = build(rawResult({ plan, steps: [rawStep(0, 196, { started: 196, dropped: 0 })] }));
  assert.equal(ok.steps[0]!.generator.achieved_ratio, 0.98);
  assert.equal(ok.steps[0]!.generator.valid, true);
  const short = build(rawResult({ plan, steps: [rawStep(0, 150, { started: 150, dropped: 0 })] }));
  assert.equal(short.steps[0]!.generator.valid, false);
  assert.match(short.steps[0]!.generator.reasons[0]!, /achieved 75% of the offered rate/);
});

test("k6's dropped iterations are placed where the starts went missing and add up to its total", () => {
  const plan = { scenario: 'arrival' as const, startUsers: 35, maxUsers: 70, stepUsers: 35, rampS: 0, holdS: 10, thinkMinS: 1, thinkMaxS: 2.5 };
  // offered 200 then 400 iterations; the second step started only 340
  const raw = rawResult({ plan, steps: [rawStep(0, 200, { started: 200, dropped: 0 }), rawStep(1, 340, { started: 340, dropped: 0 })], dropped: 61 });
  const placed = placeDropped(raw, raw.plan.steps, 20);
  assert.deepEqual([...placed.values()], [0, 61]);
  const s = build(raw);
  assert.deepEqual(s.steps.map((st) => st.dropped_iterations), [0, 61]);
  assert.equal(s.steps[1]!.generator.valid, false);
  assert.ok(s.steps[1]!.generator.reasons.includes('dropped_iterations=61'));
  assert.equal(s.totals.dropped_iterations, 61);
});

test('no dropped iterations in total places none, whatever the boundary jitter', () => {
  const plan = { scenario: 'arrival' as const, startUsers: 35, maxUsers: 70, stepUsers: 35, rampS: 0, holdS: 10, thinkMinS: 1, thinkMaxS: 2.5 };
  const raw = rawResult({ plan, steps: [rawStep(0, 199, { started: 199, dropped: 0 }), rawStep(1, 399, { started: 399, dropped: 0 })], dropped: 0 });
  assert.ok(build(raw).steps.every((st) => st.dropped_iterations === 0 && st.generator.valid));
});

test('errors are split by class and their rate is failed / requests', () => {
  const s = build(rawResult({ steps: [rawStep(0, 100, { errors: { http4xx: 1, http5xx: 2, timeouts: 3, connection: 4 } })], plan: { maxUsers: 10 } }));
  assert.deepEqual(s.steps[0]!.errors, { total: 10, rate: 0.1, http4xx: 1, http5xx: 2, timeouts: 3, connection: 4 });
  assert.deepEqual(s.totals.errors, s.steps[0]!.errors);
});
