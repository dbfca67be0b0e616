import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveSummary } from '../../src/summary/derive-summary.js';
import { machineBudgetText } from '../../src/summary/findings.js';
import { SummarySchema, type Summary } from '../../src/summary/summary-schema.js';
import { SweepPlanSchema } from '../../src/plan/plan-schema.js';
import { RUN_SCHEMA_ID, type RunMeta, type TrialRecord } from '../../src/results/trial-record.js';
import { makeRecord } from '../support/fixtures.js';

const plan = SweepPlanSchema.parse({ load: { users: { from: 500, to: 2000, step: 500 } }, candidates: { replicas: [1, 2], cpus: [0.5, 1], memory: [256, 512] } });
const meta: RunMeta = {
  schema: RUN_SCHEMA_ID,
  run_id: 'r1',
  created_at: '2025-01-01T00:00:00.000Z',
  plan_source: 'test',
  plan,
  machine: { hostname: 'h', cores: 2, mem_mib: 24000, node: 'v20', docker: '20.10', compose: 'v1 1.29.2', loadavg_1m: 0.2 },
  git_commit: 'abc',
};
const ok = (users: number[]) => users.map((u) => ({ users: u }));

// r=1: 0.5 CPU fails at 1500 on latency; 1 CPU holds 2000 at 512m and is OOM-killed at 256m
const records: TrialRecord[] = [
  makeRecord({ index: 0, plan, config: { replicas: 1, cpus: 0.5, memory_mib: 512 }, steps: [...ok([500, 1000]), { users: 1500, p95: 350 }] }),
  makeRecord({ index: 1, plan, config: { replicas: 1, cpus: 1, memory_mib: 512 }, steps: ok([1500, 2000]), startUsers: 1500, knownHeld: 1000 }),
  makeRecord({ index: 2, plan, config: { replicas: 1, cpus: 1, memory_mib: 256 }, steps: ok([500]).concat([{ users: 1000 }]), samples: { seconds: 20, oomAt: { second: 15, replica: 1 } } }),
  makeRecord({ index: 3, plan, config: { replicas: 2, cpus: 0.5, memory_mib: 512 }, steps: ok([1500, 2000]), startUsers: 1500, knownHeld: 1000 }),
  makeRecord({ index: 4, plan, config: { replicas: 2, cpus: 0.5, memory_mib: 256 }, steps: ok([500, 1000, 1500, 2000]) }),
];

const summary = deriveSummary({ meta, records, complete: true, now: new Date('2025-01-01T00:30:00Z') });

test('the summary validates against its schema and counts what ran against the grid', () => {
  SummarySchema.parse(summary);
  assert.equal(summary.counts.trials, 5);
  assert.equal(summary.counts.grid_size, 8);
  assert.equal(summary.counts.configurations_measured, 5);
  // a complete sweep's wall time ends with its last trial (40 s after the start here), not when it is rendered
  assert.equal(summary.counts.wall_seconds, 40);
  assert.equal(deriveSummary({ meta, records, complete: false, now: new Date('2025-01-01T00:30:00Z') }).counts.wall_seconds, 1800);
});

test('the minimum per replica count and overall follow total CPU, then total memory', () => {
  const one = summary.per_replicas.find((r) => r.replicas === 1);
  const two = summary.per_replicas.find((r) => r.replicas === 2);
  assert.deepEqual(one?.best?.config, { replicas: 1, cpus: 1, memory_mib: 512 });
  assert.deepEqual(two?.best?.config, { replicas: 2, cpus: 0.5, memory_mib: 256 });
  // 1 x 1 CPU (512m) and 2 x 0.5 CPU (512m) tie on CPU and memory: fewer replicas wins
  assert.deepEqual(summary.overall?.config, { replicas: 1, cpus: 1, memory_mib: 512 });
});

test('evidence carries the numbers at the held step and the failure with its reasons', () => {
  const one = summary.per_replicas.find((r) => r.replicas === 1);
  assert.equal(one?.best?.at_held?.users, 2000);
  assert.equal(one?.best?.measured, true);
  const lessCpu = one?.cheaper.find((e) => e.config.cpus === 0.5);
  const lessMem = one?.cheaper.find((e) => e.config.memory_mib === 256);
  assert.equal(lessCpu?.failure?.users, 1500);
  assert.equal(lessCpu?.failure?.reasons[0]?.kind, 'latency');
  assert.equal(lessMem?.failure?.reasons[0]?.kind, 'oom');
  // a trial started above what a smaller config held reports the inherited lower bound
  assert.equal(summary.configs.find((c) => c.config.replicas === 1 && c.config.cpus === 1 && c.config.memory_mib === 512)?.held_users, 2000);
});

test('unmeasured cells are inferred through the resource order, with the trial that implies them', () => {
  const cell = summary.configs.find((c) => c.config.replicas === 1 && c.config.cpus === 0.5 && c.config.memory_mib === 256);
  assert.equal(cell?.status, 'fail');
  assert.equal(cell?.measured, false);
  // two trials imply it; the tightest bound wins: 1 x (1 CPU, 256m) was OOM-killed at 1,000
  assert.equal(cell?.inferred_from?.trial_index, 2);
  assert.equal(cell?.upper_users, 500);
  const big = summary.configs.find((c) => c.config.replicas === 2 && c.config.cpus === 1 && c.config.memory_mib === 512);
  assert.equal(big?.status, 'pass');
});

test('the findings answer the workshop questions with the data in them', () => {
  const f = summary.findings;
  assert.match(f.minimum, /1 x \(1 CPU, 512m\)/);
  assert.match(f.minimum, /2,000 users/);
  assert.match(f.replicas, /1 replica: 1 x \(1 CPU, 512m\)/);
  assert.match(f.replicas, /2 replicas: 2 x \(0.5 CPU, 256m\)/);
  // 1 CPU as one replica or as two halves: both held the target
  assert.match(f.replicas, /With the same total CPU \(1 CPU\), replicas x CPU each -> users held: 1 x 1 -> 2,000\+, 2 x 0\.5 -> 2,000\+\./);
  assert.match(f.lower, /Less CPU: 1 x \(0.5 CPU, 512m\) does not pass: .*failed at 1,500: p95 350 ms > 200 ms/);
  assert.match(f.lower, /Less memory: 1 x \(1 CPU, 256m\) does not pass: .*OOM-killed/);
  assert.match(f.machine, /Every trial was valid/);
});

test('an interrupted run says so in its caveats', () => {
  const partial = deriveSummary({ meta, records: records.slice(0, 2), complete: false, now: new Date() });
  assert.equal(partial.complete, false);
  assert.ok(partial.findings.caveats.some((c) => c.includes('resume')));
});

test('measurements that contradict monotonicity are listed', () => {
  const contradicting = [
    ...records,
    makeRecord({ index: 5, plan, config: { replicas: 2, cpus: 1, memory_mib: 512 }, steps: [{ users: 500 }, { users: 1000, p95: 900 }] }),
  ];
  const s = deriveSummary({ meta, records: contradicting, complete: true, now: new Date() });
  assert.ok(s.monotonicity_violations.length > 0);
  assert.ok(s.findings.caveats.some((c) => c.includes('contradict')));
});

test("the machine budget: CPU per request of the API, the generator and the rest at the busiest step that held, times the target's rate", () => {
  const row = summary.trials[0]!;
  const step = { ...row.steps[0]!, pass: true, valid: true, users: 1500, rps: 1000, cpu_pct: 30, generator_cpu_pct: 10, host_cpu_pct: 40 };
  const text = machineBudgetText({ ...summary, trials: [{ ...row, steps: [step] }] })!;
  // 2 cores x 40 % = 0.8 core for 1,000 req/s = 800 µs; API 300, generator 100 (1 CPU), the rest 400
  assert.match(text, /the API spent 300 µs of CPU per request, the generator 100 µs and everything else on the host \(balancer, kernel networking, Docker\) 400 µs: 800 µs in all/);
  // 2,000 users / 1.75 s = 1,143 req/s x 800 µs = 0.91 of 2 cores
  assert.match(text, /2,000 users at 1\.75 s mean think time \(1143 req\/s\), would need about 0\.91 of the machine's 2 cores at that cost \(46 %\)\./);
});

test('a first-step failure that was run again from lower does not count: the re-run decides, and the trials table says so', () => {
  const small = { replicas: 1, cpus: 0.5, memory_mib: 256 };
  const config = { replicas: 1, cpus: 1, memory_mib: 256 };
  const rerunRecords: TrialRecord[] = [
    makeRecord({ index: 0, plan, config: small, steps: [...ok([500]), { users: 1000, p95: 400 }] }),
    // started above what the smaller one held, cold, and failed its first judged step
    makeRecord({ index: 1, plan, config, steps: [{ users: 1000, p95: 260 }], startUsers: 1000, knownHeld: 500 }),
    // the re-run from one step lower held the target
    makeRecord({ index: 2, plan, config, attempt: 2, steps: ok([500, 1000, 1500, 2000]), startUsers: 500, knownHeld: 500 }),
  ];
  const now = new Date('2025-01-01T00:30:00Z');
  const find = (x: Summary) => x.configs.find((c) => c.config.replicas === 1 && c.config.cpus === 1 && c.config.memory_mib === 256)!;
  const s = deriveSummary({ meta, records: rerunRecords, complete: true, now });
  assert.equal(find(s).status, 'pass');
  assert.equal(find(s).trial_index, 2);
  assert.equal(find(s).upper_users, null, 'the cold failure sets no upper bound');
  assert.deepEqual(s.trials.map((t) => t.rerun_as), [null, 2, null]);
  // without the rule the cold failure counts: an upper bound of 500 users that contradicts the re-run
  const strict = deriveSummary({ meta: { ...meta, plan: { ...plan, search: { ...plan.search, rerun_first_step_failure: false } } }, records: rerunRecords, complete: true, now });
  assert.equal(find(strict).upper_users, 500);
  assert.equal(strict.trials[1]!.rerun_as, null);
});

test('confirmations: two runs of the minimum side by side; a disagreement makes it undecided and the report says so with both results', async () => {
  const { renderMarkdown } = await import('../../src/report/report-md.js');
  const p = SweepPlanSchema.parse({ load: { users: { from: 500, to: 2000, step: 500 } }, candidates: { replicas: [1], cpus: [0.5, 1], memory: [256] } });
  const m: RunMeta = { ...meta, plan: p };
  const base = [
    makeRecord({ index: 0, plan: p, config: { replicas: 1, cpus: 0.5, memory_mib: 256 }, steps: [...ok([500, 1000]), { users: 1500, p95: 350 }] }),
    makeRecord({ index: 1, plan: p, config: { replicas: 1, cpus: 1, memory_mib: 256 }, steps: ok([1500, 2000]), startUsers: 1500, knownHeld: 1000 }),
  ];
  const agree = [...base, { ...makeRecord({ index: 2, plan: p, attempt: 2, config: { replicas: 1, cpus: 1, memory_mib: 256 }, steps: ok([1500, 2000]), startUsers: 1500, knownHeld: 1000 }), confirmation: true }];
  const s1 = SummarySchema.parse(deriveSummary({ meta: m, records: agree, complete: true, now: new Date('2025-01-01T00:10:00Z') }));
  assert.equal(s1.overall?.config.cpus, 1);
  assert.deepEqual(s1.confirmations?.map((c) => [c.agree, c.status, c.runs.map((r) => r.trial_index)]), [[true, 'pass', [1, 2]]]);
  assert.match(s1.findings.minimum, /A second run agreed \(trials #1 and #2\)\./);
  assert.match(renderMarkdown(s1), /1 configuration the answer rests on ran a second time; 0 verdicts at 2,000 users flipped\./);

  const flip = [...base, { ...makeRecord({ index: 2, plan: p, attempt: 2, config: { replicas: 1, cpus: 1, memory_mib: 256 }, steps: [{ users: 1500 }, { users: 2000, p95: 260 }], startUsers: 1500, knownHeld: 1000 }), confirmation: true }];
  const s2 = SummarySchema.parse(deriveSummary({ meta: m, records: flip, complete: true, now: new Date('2025-01-01T00:10:00Z') }));
  assert.equal(s2.overall, null, 'no configuration passes for sure');
  assert.deepEqual(s2.confirmations?.map((c) => [c.agree, c.status, c.runs.map((r) => [r.trial_index, r.pass, r.failed_users])]), [[false, 'unknown', [[1, true, null], [2, false, 2000]]]]);
  assert.ok(s2.findings.caveats.some((c) => /Two runs of 1 x \(1 CPU, 256m\) disagree at 2,000 users \(trial #1 held 2,000 users; trial #2 failed at 2,000 users \(p95 260 ms\)\): it counts as undecided/.test(c)));
  const md = renderMarkdown(s2);
  assert.match(md, /1 verdict at 2,000 users flipped \(1 x \(1 CPU, 256m\): undecided\)/);
  assert.match(md, /\| 1 x \(1 CPU, 256m\) \| #1: held 2,000; #2: held 1,500, failed at 2,000 \(p95 260 ms\) \| NO \| undecided \(the runs disagree\) \|/);
  assert.match(md, /\| 2 \| 1 x \(1 CPU, 256m\) \| 2 \(confirmation\) \|/);
});

test('more replicas holding no more than fewer at the same limits is explained from the deciding trial', () => {
  const p = SweepPlanSchema.parse({ load: { users: { from: 100, to: 600, step: 100 } }, candidates: { replicas: [1, 2], cpus: [0.1], memory: [256] } });
  const m: RunMeta = { ...meta, plan: p };
  const recs = [
    makeRecord({ index: 0, plan: p, config: { replicas: 1, cpus: 0.1, memory_mib: 256 }, steps: [...ok([100, 200, 300, 400]), { users: 500, p95: 300 }] }),
    {
      ...makeRecord({ index: 1, plan: p, config: { replicas: 2, cpus: 0.1, memory_mib: 256 }, steps: [{ users: 500, p95: 220 }], startUsers: 500, knownHeld: 400 }),
      warmup: { users: 500, offered_rps: null, requests: 900, rps: 300, p95_ms: 95, error_rate: 0, duration_s: 4, summary_file: null },
    },
  ];
  const s = deriveSummary({ meta: m, records: recs, complete: true, now: new Date('2025-01-01T00:10:00Z') });
  assert.match(s.findings.replicas, /2 x \(0\.1 CPU, 256m\) held no more than 1 x \(0\.1 CPU, 256m\) \(400 against 400 users\): its trial #1 started at 500 users after a warm-up at 500 users \(p95 95 ms, not judged\) and failed at 500 users \(p95 220 ms > 200 ms\); its replicas used \d+ % of their summed CPU limit/);
  assert.deepEqual(s.trials[1]?.warmup, { users: 500, requests: 900, rps: 300, p95_ms: 95, error_rate: 0 });
});
