import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCliArgs } from '../src/cli-args.js';
import { SweepError } from '../src/errors.js';

function argsError(argv: string[]): SweepError {
  try {
    parseCliArgs(argv);
  } catch (e) {
    assert.ok(e instanceof SweepError);
    assert.equal(e.code, 'SWEEP_ERR_ARGS');
    return e;
  }
  assert.fail(`expected ${argv.join(' ')} to be refused`);
}

test('no arguments run the default plan', () => {
  assert.deepEqual(parseCliArgs([]), { kind: 'run', plan: null, quick: false, resume: null, reports: null, runId: null, swarmInit: false });
  assert.equal((parseCliArgs(['--swarm-init', '--quick']) as { swarmInit: boolean }).swarmInit, true);
  assert.throws(() => parseCliArgs(['cleanup', '--swarm-init']), /--swarm-init does not apply/);
});

test('--plan, --quick, --resume and --compare are read', () => {
  assert.equal((parseCliArgs(['--plan', 'p.yaml']) as { plan: string }).plan, 'p.yaml');
  assert.equal((parseCliArgs(['--quick']) as { quick: boolean }).quick, true);
  assert.equal((parseCliArgs(['--resume', 'reports/x']) as { resume: string }).resume, 'reports/x');
  assert.deepEqual(parseCliArgs(['report', 'run-a', '--compare', 'run-b']), { kind: 'report', run: 'run-a', compare: 'run-b', reports: null });
});

test('--compare alone sweeps ours and the two peers; a list names targets and reuses runs', () => {
  const all = parseCliArgs(['--compare', '--quick']);
  assert.equal(all.kind, 'compare');
  assert.deepEqual(all.kind === 'compare' && all.items.map((i) => [i.name, i.preset?.target.image ?? null, i.run]), [
    ['rightsize', 'rightsize-api:latest', null],
    ['mlflow-serve', 'rightsize-mlflow-serve:latest', null],
    ['fastapi', 'rightsize-fastapi:latest', null],
  ]);
  const some = parseCliArgs(['--compare', 'rightsize=20261207-default,mlflow-serve', '--run-id', 'cmp']);
  assert.deepEqual(some.kind === 'compare' && some.items.map((i) => [i.name, i.run]), [
    ['rightsize', '20261207-default'],
    ['mlflow-serve', null],
  ]);
  assert.equal(some.kind === 'compare' && some.runId, 'cmp');
  assert.match(argsError(['--compare', 'rightsize,rightsize']).message, /names "rightsize" twice/);
  assert.match(argsError(['--compare', 'a,,b']).message, /empty item/);
  assert.match(argsError(['--compare', '--resume', 'x']).message, /resumes by itself/);
  assert.equal(argsError(['--compare', 'Bad=x']).key, '--compare');
});

test('lab takes lambda, mu, servers and a duration', () => {
  assert.deepEqual(parseCliArgs(['lab', '--lambda', '40', '--mu', '50', '--servers', '2', '--duration', '2m']), {
    kind: 'lab',
    lambda: 40,
    mu: 50,
    servers: 2,
    durationS: 120,
    image: 'rightsize-api:latest',
    reports: null,
  });
});

test('an unstable queue is refused before anything starts, naming --lambda', () => {
  assert.equal(argsError(['lab', '--lambda', '60', '--mu', '50']).key, '--lambda');
});

test('bad arguments name the flag', () => {
  assert.equal(argsError(['lab', '--mu', '5']).key, '--lambda');
  assert.equal(argsError(['lab', '--lambda', 'x', '--mu', '5']).key, '--lambda');
  assert.equal(argsError(['--plan', 'a', '--quick']).key, '--quick');
  assert.equal(argsError(['--resume', 'r', '--plan', 'p']).key, '--resume');
  assert.equal(argsError(['plan', '--lambda', '3']).key, '--lambda');
  assert.match(argsError(['--bogus']).message, /bogus/);
  assert.match(argsError(['frobnicate']).message, /unknown command/);
});
