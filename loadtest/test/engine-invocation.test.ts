import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSchedule } from '../k6/lib/schedule.js';
import { k6Args, k6Env, parseK6LogLine, parseK6Version, parseStartMarker } from '../src/engines/k6-invocation.js';
import { locustArgs, locustEnv, parseLocustVersion } from '../src/engines/locust-invocation.js';
import { resolveCpuset } from '../src/engines/cpuset.js';
import { isLoadError } from '../src/errors.js';
import { parseLoadOptions } from '../src/options.js';

const options = parseLoadOptions({ target: 'http://127.0.0.1:8000/', schedule: { maxUsers: 1000, rampS: 5 }, objective: { p95Ms: 200 } });

test('k6 gets the plan, objective and paths as RS_* variables', () => {
  const env = k6Env(options, { rawSummary: '/out/raw.json', payloads: null });
  assert.equal(env.RS_TARGET, 'http://127.0.0.1:8000');
  assert.equal(env.RS_MAX, '1000');
  assert.equal(env.RS_RAMP, '5');
  assert.equal(env.RS_P95_MS, '200');
  assert.equal(env.RS_P99_MS, undefined, 'an objective left out is not checked');
  assert.equal(env.RS_SUMMARY, '/out/raw.json');
  assert.equal(env.RS_PAYLOADS, undefined);
});

test('k6 runs quietly with its REST API and JSON logs on stdout, script last', () => {
  const args = k6Args(options, { script: '/s/steps.ts', rawSummary: '/o/raw.json', payloads: '/p.json', restAddress: '127.0.0.1:6565' });
  assert.equal(args[0], 'run');
  assert.ok(args.includes('--quiet') && args.includes('--log-output=stdout') && args.includes('--log-format=json'));
  assert.equal(args[args.indexOf('--address') + 1], '127.0.0.1:6565');
  assert.ok(args.includes('RS_PAYLOADS=/p.json'));
  assert.equal(args.at(-1), '/s/steps.ts');
});

test('Locust gets the same variables plus the plan computed in TypeScript', () => {
  const schedule = buildSchedule({ scenario: 'steps', ...options.schedule });
  const env = locustEnv(options, schedule, { rawSummary: '/o/raw.json', payloads: null });
  assert.equal(env.RS_MAX, '1000');
  assert.deepEqual(JSON.parse(env.RS_PLAN!).steps, schedule.steps);
  assert.deepEqual(locustArgs(options, 'lf.py', { role: 'worker', masterHost: 'm', masterPort: 5557 }), ['-f', 'lf.py', '--host', 'http://127.0.0.1:8000', '--worker', '--master-host', 'm', '--master-port', '5557']);
  assert.ok(locustArgs(options, 'lf.py', { role: 'standalone', processes: 2 }).join(' ').endsWith('--processes 2'));
});

test('engine output is understood: versions, the start marker, JSON log lines', () => {
  assert.equal(parseK6Version('k6 v1.8.1 (go1.26.8, linux/amd64)'), '1.8.1');
  assert.equal(parseLocustVersion('locust 2.47.0 from /x (Python 3.11.7)'), '2.47.0');
  assert.equal(parseStartMarker('RS_T0=1795351466928'), 1795351466928);
  assert.equal(parseStartMarker('RS_T0=soon'), null);
  assert.deepEqual(parseK6LogLine('{"level":"warning","msg":"Insufficient VUs","time":"x"}'), { level: 'warning', msg: 'Insufficient VUs' });
  assert.equal(parseK6LogLine('  step 0  5 users'), null);
});

test('the generator is pinned to the last cores when the machine has two or more', () => {
  assert.equal(resolveCpuset('auto', 1, 2), '1');
  assert.equal(resolveCpuset('auto', 2, 4), '2-3');
  assert.equal(resolveCpuset('auto', 1, 1), null);
  assert.equal(resolveCpuset('auto', 2, 2), null);
  assert.equal(resolveCpuset('none', 1, 8), null);
  assert.equal(resolveCpuset('0,2', 1, 8), '0,2');
});

test('the protocol reaches both engines with its route: RS_PROTOCOL and RS_PATH', () => {
  assert.equal(k6Env(options, { rawSummary: '/o/raw.json', payloads: null }).RS_PROTOCOL, 'rightsize');
  assert.equal(k6Env(options, { rawSummary: '/o/raw.json', payloads: null }).RS_PATH, '/predict');
  const mlflow = parseLoadOptions({ target: 'http://127.0.0.1:8000', protocol: 'mlflow', schedule: { maxUsers: 1000 } });
  const env = k6Env(mlflow, { rawSummary: '/o/raw.json', payloads: null });
  assert.equal(env.RS_PROTOCOL, 'mlflow');
  assert.equal(env.RS_PATH, '/invocations');
  const args = k6Args(mlflow, { script: '/s/steps.ts', rawSummary: '/o/raw.json', payloads: null, restAddress: '127.0.0.1:6565' });
  assert.ok(args.includes('RS_PROTOCOL=mlflow') && args.includes('RS_PATH=/invocations'));
  const locust = locustEnv(mlflow, buildSchedule({ scenario: 'steps', ...mlflow.schedule }), { rawSummary: '/o/raw.json', payloads: null });
  assert.equal(locust.RS_PROTOCOL, 'mlflow');
  assert.equal(locust.RS_PATH, '/invocations');
});

test('library callers get the same protocol checks as the CLI (LOAD_ERR_BAD_OPTION on path)', () => {
  assert.throws(
    () => parseLoadOptions({ target: 'http://127.0.0.1:8000', protocol: 'mlflow', path: '/predict' }),
    (err: unknown) => isLoadError(err, 'LOAD_ERR_BAD_OPTION') && (err.details.issues as string[]).some((i) => i.startsWith('path: ')),
  );
  assert.throws(() => parseLoadOptions({ target: 'http://127.0.0.1:8000', protocol: 'grpc' }), (err: unknown) => isLoadError(err, 'LOAD_ERR_BAD_OPTION'));
});
