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
  assert.deepEqual(parseCliArgs([]), { kind: 'run', plan: null, quick: false, resume: null, compare: null, reports: null, runId: null });
});

test('--plan, --quick, --resume and --compare are read', () => {
  assert.equal((parseCliArgs(['--plan', 'p.yaml']) as { plan: string }).plan, 'p.yaml');
  assert.equal((parseCliArgs(['--quick']) as { quick: boolean }).quick, true);
  assert.equal((parseCliArgs(['--resume', 'reports/x']) as { resume: string }).resume, 'reports/x');
  assert.deepEqual(parseCliArgs(['report', 'run-a', '--compare', 'run-b']), { kind: 'report', run: 'run-a', compare: 'run-b', reports: null });
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
