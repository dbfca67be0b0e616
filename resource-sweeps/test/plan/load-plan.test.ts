import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parsePlanYaml, loadPlanFile } from '../../src/plan/load-plan.js';
import { userLadder } from '../../src/plan/load-contract.js';
import { SweepPlanSchema } from '../../src/plan/plan-schema.js';
import { SweepError } from '../../src/errors.js';

function planError(text: string): SweepError {
  try {
    parsePlanYaml(text, { source: 'plans/x.yaml' });
  } catch (error) {
    assert.ok(error instanceof SweepError, `expected SweepError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the plan to be rejected');
}

test('an empty plan resolves to the default plan: 500..10000 users by 500 thinking 1-2.5 s on the pacer, p95 200 ms, 1 % errors', () => {
  const plan = parsePlanYaml('', { source: 'empty.yaml' });
  assert.deepEqual(plan, SweepPlanSchema.parse({}));
  assert.equal(plan.target.image, 'rightsize-api:latest');
  assert.equal(plan.load.engine, 'pacer');
  assert.equal(plan.load.scenario, 'arrival');
  assert.deepEqual(plan.load.think_time, { min: 1, max: 2.5 }, "the workshop's users: 10,000 of them offer 5,714 req/s");
  assert.deepEqual(plan.load.users, { from: 500, to: 10_000, step: 500 });
  assert.equal(userLadder(plan).length, 20);
  assert.equal(plan.objective.p95_ms, 200);
  assert.equal(plan.objective.max_error_rate, 0.01);
  assert.equal(plan.objective.allow_oom_kill, false);
  assert.equal(plan.runtime, 'compose');
});

test('units in a plan are parsed: durations to seconds, memory to MiB, candidates sorted', () => {
  const plan = parsePlanYaml(
    ['load:', '  hold: 1m30s', '  ramp: 500ms', 'candidates:', '  memory: [1g, 256m, 512MiB]', '  cpus: [1, 0.5]'].join('\n'),
    { source: 'p.yaml' },
  );
  assert.equal(plan.load.hold, 90);
  assert.equal(plan.load.ramp, 0.5);
  assert.deepEqual(plan.candidates.memory, [256, 512, 1024]);
  assert.deepEqual(plan.candidates.cpus, [0.5, 1]);
});

test('a bad value is reported with file, dotted key and line', () => {
  const error = planError(['name: ok', 'candidates:', '  cpus: [0.5, -1]', '  memory: [lots]'].join('\n'));
  assert.equal(error.code, 'SWEEP_ERR_PLAN_INVALID');
  assert.equal(error.file, 'plans/x.yaml');
  assert.equal(error.key, 'candidates.cpus[1]');
  assert.ok(error.details.some((d) => d.startsWith('candidates.cpus[1] (line 3)')), error.details.join('\n'));
  assert.ok(error.details.some((d) => d.startsWith('candidates.memory[0] (line 4)') && d.includes('256m')), error.details.join('\n'));
});

test('an unknown key is named, so typos do not silently fall back to defaults', () => {
  const error = planError(['load:', '  hodl: 10s'].join('\n'));
  assert.equal(error.code, 'SWEEP_ERR_PLAN_INVALID');
  assert.equal(error.key, 'load.hodl');
  assert.match(error.details[0] ?? '', /line 2/);
});

test('a user ladder that does not land on its end is rejected at load.users.to', () => {
  const error = planError(['load:', '  users: {from: 500, to: 1200, step: 500}'].join('\n'));
  assert.equal(error.key, 'load.users.to');
});

test('duplicate candidates and an unknown engine are both reported in one error', () => {
  const error = planError(['load: {engine: jmeter}', 'candidates: {replicas: [1, 1]}'].join('\n'));
  assert.equal(error.details.length, 2);
  assert.ok(error.details.some((d) => d.startsWith('load.engine') && d.includes('"k6"')));
  assert.ok(error.details.some((d) => d.startsWith('candidates.replicas[1]')));
});

test('YAML syntax errors name the file and the line', () => {
  const error = planError('load:\n  hold: [1, 2\nname: x');
  assert.equal(error.code, 'SWEEP_ERR_PLAN_YAML');
  assert.match(error.details[0] ?? '', /line \d+/);
});

test('a plan that is not a mapping is rejected at the top level', () => {
  const error = planError('- 1\n- 2');
  assert.equal(error.code, 'SWEEP_ERR_PLAN_INVALID');
  assert.equal(error.key, '(top level)');
});

test('a missing plan file is SWEEP_ERR_PLAN_NOT_FOUND naming the path as given', async () => {
  await assert.rejects(loadPlanFile({ file: 'no/such/plan.yaml', cwd: tmpdir() }), (e: unknown) => {
    assert.ok(e instanceof SweepError);
    assert.equal(e.code, 'SWEEP_ERR_PLAN_NOT_FOUND');
    assert.equal(e.file, 'no/such/plan.yaml');
    return true;
  });
});

test('relative plan paths resolve against the given working directory', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'rs-plan-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'p.yaml'), 'name: from-file\n');
  const { plan, file } = await loadPlanFile({ file: 'p.yaml', cwd: dir });
  assert.equal(plan.name, 'from-file');
  assert.equal(file, path.join(dir, 'p.yaml'));
});

test('the stack gets the cores the generator leaves: on 2 cores core 0, on 8 cores with 2 for k6 cores 0-5', async () => {
  const { stackCpuset } = await import('../../src/plan/plan-schema.js');
  assert.equal(stackCpuset(2, 1), '0');
  assert.equal(stackCpuset(8, 2), '0-5');
  assert.equal(stackCpuset(8, 1.5), '0-5');
  assert.equal(stackCpuset(1, 1), null);
  assert.equal(stackCpuset(2, 2), null);
});

test('the engine follows the scenario unless given: the pacer for the open model, k6 for users; the pacer refuses the closed model', () => {
  assert.equal(parsePlanYaml('load:\n  scenario: steps\n', { source: 's.yaml' }).load.engine, 'k6');
  assert.equal(parsePlanYaml('load:\n  scenario: arrival\n  engine: k6\n', { source: 'a.yaml' }).load.engine, 'k6');
  const error = planError('load:\n  scenario: steps\n  engine: pacer\n');
  assert.equal(error.key, 'load.scenario');
  assert.match(error.format(), /load\.scenario \(line 2\): the pacer offers open-model load only/);
});

test('the default plan confirms its boundary and warms each trial at its own starting load', async () => {
  const { createLoadContract } = await import('../../src/plan/load-contract.js');
  const plan = SweepPlanSchema.parse({});
  assert.equal(plan.search.confirm_boundary, true);
  assert.deepEqual(plan.trial.warmup, { duration: 6, users: 'start' });
  const load = createLoadContract(plan);
  const steps = load.trialSteps(9_500);
  const warm = load.warmup(steps);
  // the warm-up offers what the first judged step will (9,500 users = 5,428.571 req/s), ramped over half of it
  assert.deepEqual(warm, { step: steps[0], rampS: 3, holdS: 3 });
  assert.equal(warm?.step.target, 5428.571);
  const options = load.loadOptions([warm!.step], { url: 'http://lb:8080', network: 'n', owner: 'o', outDir: '/tmp/x', runId: 'r-warm' }, { rampS: warm!.rampS, holdS: warm!.holdS });
  assert.deepEqual(options.schedule, { startUsers: 9_500, maxUsers: 9_500, stepUsers: 500, rampS: 3, holdS: 3, thinkMinS: 1, thinkMaxS: 2.5 });
  // a fixed warm-up load, and none at all
  const fixed = createLoadContract(SweepPlanSchema.parse({ trial: { warmup: { duration: 4, users: 50 } } }));
  assert.deepEqual(fixed.warmup(steps)?.step, { kind: 'rate', target: 28.571, users: 50 });
  assert.equal(createLoadContract(SweepPlanSchema.parse({ trial: { warmup: { duration: 0 } } })).warmup(steps), null);
});

test('load.generators splits each trial across pacer instances; other engines are refused naming the key', async () => {
  const { createLoadContract } = await import('../../src/plan/load-contract.js');
  assert.equal(SweepPlanSchema.parse({}).load.generators, 1);
  const plan = parsePlanYaml('load: { generators: 2 }', { source: 'plans/x.yaml' });
  const load = createLoadContract(plan);
  const options = load.loadOptions(load.trialSteps(500), { url: 'http://lb:8080', network: 'n', owner: 'o', outDir: '/tmp/x', runId: 'r' });
  assert.equal(options.generators, 2);
  const e = planError('load: { scenario: steps, generators: 2 }');
  assert.equal(e.key, 'load.generators');
  assert.match(e.format(), /pacer instances only/);
});
