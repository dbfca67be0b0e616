import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateTrial, isStarvedBySlowServer } from '../../src/core/trial-outcome.js';
import type { Step } from '@rightsize/loadtest/summary-schema';
import { PlanObjectiveSchema } from '../../src/plan/plan-schema.js';
import { makeHostSamples, makeLoadSummary, makeSamples } from '../support/fixtures.js';

const objective = PlanObjectiveSchema.parse({});
const LADDER = [500, 1000, 1500, 2000];

function judge(steps: Parameters<typeof makeLoadSummary>[0], extra: { samples?: Parameters<typeof makeSamples>[0]; hostPct?: number; pressurePct?: number; aborted?: boolean } = {}) {
  const summary = makeLoadSummary(steps, { aborted: extra.aborted ?? false, abortReason: extra.aborted ? 'http_req_duration p(95)<200 crossed' : null });
  return evaluateTrial({
    summary,
    samples: makeSamples(extra.samples ?? { seconds: steps.length * 10 }),
    host: makeHostSamples(steps.length * 10, () => extra.hostPct ?? 50, () => extra.pressurePct ?? 5),
    objective,
    ladder: LADDER,
  });
}

test('a trial that passes every step up to the target holds the target with no upper bound', () => {
  const o = judge(LADDER.map((users) => ({ users })));
  assert.equal(o.end, 'target');
  assert.equal(o.held_users, 2000);
  assert.equal(o.upper_users, null);
  assert.equal(o.valid, true);
  assert.equal(o.failed_step, null);
  assert.ok(o.steps.every((s) => s.pass));
});

test('a p95 over the objective fails the step on latency; the step below is both held and the upper bound', () => {
  const o = judge([{ users: 500 }, { users: 1000 }, { users: 1500, p95: 340 }]);
  assert.equal(o.end, 'objective');
  assert.equal(o.held_users, 1000);
  assert.equal(o.upper_users, 1000);
  assert.equal(o.failed_step?.users, 1500);
  assert.deepEqual(o.failed_step?.reasons.map((r) => r.kind), ['latency']);
  assert.match(o.failed_step?.reasons[0]?.detail ?? '', /p95 340 ms > 200 ms/);
});

test('an error rate above 1 % fails the step on errors, with the classes counted', () => {
  const o = judge([{ users: 500 }, { users: 1000, errorRate: 0.05 }]);
  assert.deepEqual(o.failed_step?.reasons.map((r) => r.kind), ['errors']);
  assert.match(o.failed_step?.reasons[0]?.detail ?? '', /5xx/);
  assert.equal(o.upper_users, 500);
});

test('a saturated generator makes the trial invalid instead of blaming the API, keeping what held before', () => {
  const o = judge([{ users: 500 }, { users: 1000 }, { users: 1500, p95: 900, generatorValid: false }]);
  assert.equal(o.valid, false);
  assert.equal(o.end, 'invalid');
  assert.equal(o.held_users, 1000);
  assert.equal(o.upper_users, null);
  assert.ok(o.failed_step?.reasons.some((r) => r.kind === 'generator'));
});

test('an OOM kill fails the step even when the generator was saturated too', () => {
  const o = judge([{ users: 500 }, { users: 1000, generatorValid: false }], { samples: { seconds: 20, oomAt: { second: 14, replica: 1 } } });
  assert.equal(o.valid, true);
  assert.equal(o.end, 'objective');
  assert.equal(o.held_users, 500);
  assert.ok(o.failed_step?.reasons.some((r) => r.kind === 'oom'));
  assert.equal(o.events[0]?.kind, 'oom');
});

test('a restart of any replica fails the step it happened in', () => {
  const o = judge([{ users: 500 }, { users: 1000 }, { users: 1500 }], { samples: { seconds: 30, replicas: 2, restartAt: { second: 25, replica: 2 } } });
  assert.equal(o.failed_step?.users, 1500);
  assert.deepEqual(o.failed_step?.reasons.map((r) => r.kind), ['restart']);
});

test('an OOM kill during warm-up counts against the first step', () => {
  const o = judge([{ users: 500 }], { samples: { seconds: 10, oomAt: { second: 0, replica: 1 } } });
  assert.equal(o.held_users, 0);
  assert.equal(o.upper_users, 0);
  assert.equal(o.failed_step?.users, 500);
});

test('a step cut short by the load tool crossing a threshold is a failure of the objective', () => {
  const o = judge([{ users: 500 }, { users: 1000, completed: false }], { aborted: true });
  assert.equal(o.end, 'objective');
  assert.deepEqual(o.failed_step?.reasons.map((r) => r.kind), ['aborted']);
});

test('a step cut short for no reason of the API is an infrastructure problem and invalid', () => {
  const o = judge([{ users: 500 }, { users: 1000, completed: false }], { aborted: false });
  assert.equal(o.valid, false);
  assert.deepEqual(o.failed_step?.reasons.map((r) => r.kind), ['infrastructure']);
});

test('a load that stops before the target without failing is invalid, not a pass', () => {
  const o = judge([{ users: 500 }, { users: 1000 }]);
  assert.equal(o.valid, false);
  assert.equal(o.held_users, 1000);
  assert.equal(o.end, 'invalid');
});

test('a latency failure while the API is below its limits on a contended host is the machine: invalid, not the API failing', () => {
  // 0.5 CPU limit, 20 % used, hardly throttled: the limit was not what the API ran into
  const idle = { seconds: 20, cpuPct: () => 20, throttledShare: 0.01 };
  const busy = judge([{ users: 500 }, { users: 1000, p95: 500 }], { hostPct: 97, samples: idle });
  assert.equal(busy.failed_step?.machine_bound, true);
  assert.equal(busy.failed_step?.limit_binding, false);
  assert.equal(busy.valid, false);
  assert.equal(busy.end, 'invalid');
  assert.equal(busy.upper_users, null);
  assert.equal(busy.held_users, 500);
  assert.match(busy.failed_step?.reasons.find((r) => r.kind === 'machine')?.detail ?? '', /host CPU 97 % busy.*API used 40 % of its CPU limit/);
  const pressured = judge([{ users: 500 }, { users: 1000, p95: 500 }], { hostPct: 70, pressurePct: 45, samples: idle });
  assert.equal(pressured.failed_step?.machine_bound, true);
  const quiet = judge([{ users: 500 }, { users: 1000, p95: 500 }], { hostPct: 50, pressurePct: 2, samples: idle });
  assert.equal(quiet.failed_step?.machine_bound, false);
  assert.equal(quiet.failed_step?.limit_binding, false, 'below its limits, yet not the machine: something else');
  assert.equal(quiet.valid, true);
  const throttled = judge([{ users: 500 }, { users: 1000, p95: 500 }], { hostPct: 97, samples: { seconds: 20, throttledShare: 0.6 } });
  assert.equal(throttled.failed_step?.machine_bound, false);
  assert.equal(throttled.failed_step?.limit_binding, true);
  assert.equal(throttled.valid, true);
});

test('a trial started above the first step reports the ladder step below its first failure as the upper bound', () => {
  const o = judge([{ users: 1500, p95: 300 }]);
  assert.equal(o.held_users, 0);
  assert.equal(o.upper_users, 1000);
});

test('per-step API usage sums replicas and compares with the summed limit', () => {
  const o = judge([{ users: 500 }], { samples: { seconds: 10, replicas: 2, cpuLimit: 0.5, cpuPct: () => 45, throttledShare: 0.2, memMib: (t, r) => 100 + t + r } });
  const api = o.steps[0]?.api;
  assert.equal(api?.containers, 2);
  assert.equal(api?.cpu_pct_avg, 90);
  assert.equal(api?.cpu_limit_pct, 100);
  assert.ok(Math.abs((api?.throttled_ratio ?? 0) - 0.2) < 0.01);
  assert.equal(api?.mem_max_mib, 112);
});

test('open-model steps (request rates) are judged as the users they stand for', () => {
  const summary = makeLoadSummary([{ users: 500 }, { users: 1000, p95: 400 }]);
  const rated = { ...summary, steps: summary.steps.map((s) => ({ ...s, target: { kind: 'rate' as const, value: s.target.value / 2 } })) };
  const o = evaluateTrial({ summary: rated, samples: makeSamples({ seconds: 20 }), host: makeHostSamples(20), objective, ladder: LADDER, trialSteps: [500, 1000, 1500, 2000].map((users) => ({ users, kind: 'rate' as const, target: users / 2 })) });
  assert.deepEqual(o.steps.map((s) => s.users), [500, 1000]);
  assert.equal(o.held_users, 500);
  assert.equal(o.upper_users, 500);
});

test('an open-model step whose VUs all waited on slow answers is the API failing, not the generator', () => {
  const summary = makeLoadSummary([{ users: 500 }, { users: 1000, p95: 900 }]);
  const starved = {
    ...summary,
    steps: summary.steps.map((s, i) => (i === 1 ? { ...s, dropped_iterations: 40, generator: { ...s.generator, cpu_pct_avg: 35, valid: false, reasons: ['dropped_iterations=40', 'achieved 60% of the offered rate < 95%'] } } : s)),
  };
  const o = evaluateTrial({ summary: starved, samples: makeSamples({ seconds: 20 }), host: makeHostSamples(20), objective, ladder: LADDER });
  assert.equal(o.valid, true);
  assert.deepEqual(o.failed_step?.reasons.map((r) => r.kind), ['latency']);
  assert.match(o.failed_step?.reasons[0]?.detail ?? '', /ran out of VUs/);
  // the same drops with a fast server: the generator could not keep up, invalid
  const fast = { ...starved, steps: starved.steps.map((s, i) => (i === 1 ? { ...s, latency_ms: { ...s.latency_ms, p95: 50 } } : s)) };
  assert.equal(evaluateTrial({ summary: fast, samples: makeSamples({ seconds: 20 }), host: makeHostSamples(20), objective, ladder: LADDER }).valid, false);
});

test("a generator that sent late is never read as one starved by a slow server: its lag is its own", () => {
  const step = (reasons: string[], cpu: number) => ({ generator: { cpu_pct_avg: cpu, cpu_pct_max: cpu, mem_mb_max: 50, achieved_ratio: 0.9, valid: false, reasons } }) as unknown as Step;
  assert.equal(isStarvedBySlowServer(step(['achieved 90% of the offered rate < 95%'], 30)), true);
  assert.equal(isStarvedBySlowServer(step(['generator sent late: p95 74.3 ms behind schedule > 10% of the 200 ms objective'], 30)), false);
});
