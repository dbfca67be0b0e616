import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCliArgs } from '../src/cli-args.js';
import { isLoadError, type LoadError } from '../src/errors.js';

test('flags become validated options with the workshop defaults', () => {
  const { options } = parseCliArgs(['--target', 'http://127.0.0.1:8000', '--max-users', '2000', '--p95', '200', '--generator-cpus', '1.5']);
  assert.ok(options);
  assert.equal(options.engine, 'k6');
  assert.equal(options.scenario, 'steps');
  assert.deepEqual(options.schedule, { startUsers: 500, maxUsers: 2000, stepUsers: 500, rates: [], rampS: 10, holdS: 60, thinkMinS: 1, thinkMaxS: 2.5 });
  assert.equal(options.objective.p95Ms, 200);
  assert.equal(options.generator.cpus, 1.5);
  assert.equal(options.generator.memory, '6g');
});

test('poisson rates come as a comma-separated list', () => {
  const { options } = parseCliArgs(['--target', 'http://127.0.0.1:8000', '--scenario', 'poisson', '--rates', '50, 80.5']);
  assert.deepEqual(options?.schedule.rates, [50, 80.5]);
});

test('every problem is reported at once, naming the flag typed', () => {
  try {
    parseCliArgs(['--max-users', 'lots', '--think-min', '3']);
    assert.fail('expected an error');
  } catch (err) {
    assert.ok(isLoadError(err, 'LOAD_ERR_BAD_OPTION'));
    const text = (err as LoadError).message;
    assert.match(text, /--max-users: "lots" is not a whole number/);
    assert.match(text, /--target: required/);
  }
  assert.throws(() => parseCliArgs(['--target', 'http://127.0.0.1:1', '--think-min', '3']), (err: unknown) => isLoadError(err) && /--think-max/.test(err.message));
  assert.throws(() => parseCliArgs(['--target', 'http://127.0.0.1:1', '--p95=-5']), (err: unknown) => isLoadError(err) && /--p95/.test(err.message));
  assert.throws(() => parseCliArgs(['--target', 'http://127.0.0.1:1', '--bogus', '1']), (err: unknown) => isLoadError(err, 'LOAD_ERR_BAD_OPTION'));
});

test('Locust is refused for the open-model scenarios, and poisson needs rates', () => {
  assert.throws(() => parseCliArgs(['--target', 'http://127.0.0.1:1', '--engine', 'locust', '--scenario', 'arrival']), (err: unknown) => isLoadError(err) && /--scenario: Locust runs/.test(err.message));
  assert.throws(() => parseCliArgs(['--target', 'http://127.0.0.1:1', '--scenario', 'poisson']), (err: unknown) => isLoadError(err) && /--rates/.test(err.message));
});

test('--generators splits a pacer run; Locust and k6 are refused naming the flag (issue 19)', () => {
  const base = ['--target', 'http://127.0.0.1:8000', '--scenario', 'arrival'];
  assert.equal(parseCliArgs([...base, '--engine', 'pacer']).options?.generators, 1, 'one generator by default');
  assert.equal(parseCliArgs([...base, '--engine', 'pacer', '--generators', '3']).options?.generators, 3);
  assert.throws(() => parseCliArgs([...base, '--engine', 'pacer', '--generators', '0']), (err: unknown) => isLoadError(err, 'LOAD_ERR_BAD_OPTION') && /--generators/.test(err.message));
  assert.throws(() => parseCliArgs([...base, '--engine', 'pacer', '--generators', '1.5']), (err: unknown) => isLoadError(err, 'LOAD_ERR_BAD_OPTION') && /--generators: "1.5" is not a whole number/.test(err.message));
  assert.throws(
    () => parseCliArgs(['--target', 'http://127.0.0.1:8000', '--engine', 'locust', '--generators', '2']),
    (err: unknown) => isLoadError(err, 'LOAD_ERR_BAD_OPTION') && /--generators: Locust splits load with its own workers: use --workers N/.test(err.message),
  );
  assert.throws(() => parseCliArgs([...base, '--engine', 'k6', '--generators', '2']), (err: unknown) => isLoadError(err, 'LOAD_ERR_BAD_OPTION') && /--generators: k6 runs as one generator/.test(err.message));
});

test('--show and --help do not need a target', () => {
  assert.equal(parseCliArgs(['--help']).help, true);
  assert.equal(parseCliArgs(['--show', 'x/summary.json']).show, 'x/summary.json');
});

test('--protocol picks the request and its route; --path defaults from it', () => {
  const base = ['--target', 'http://127.0.0.1:8000'];
  assert.deepEqual(pick(parseCliArgs(base).options), { protocol: 'rightsize', path: '/predict' });
  assert.deepEqual(pick(parseCliArgs([...base, '--protocol', 'mlflow']).options), { protocol: 'mlflow', path: '/invocations' });
  assert.deepEqual(pick(parseCliArgs([...base, '--protocol', 'mlflow', '--path', '/model-a/invocations']).options), { protocol: 'mlflow', path: '/model-a/invocations' });
  assert.deepEqual(pick(parseCliArgs([...base, '--protocol', 'fastapi']).options), { protocol: 'fastapi', path: '/predict' });
  assert.deepEqual(pick(parseCliArgs([...base, '--protocol', 'fastapi', '--path', '/predict']).options), { protocol: 'fastapi', path: '/predict' });
});

test('a bad --protocol, or a --path that is the other protocol route, names its flag', () => {
  const base = ['--target', 'http://127.0.0.1:8000'];
  assert.throws(() => parseCliArgs([...base, '--protocol', 'kserve']), (err: unknown) => isLoadError(err, 'LOAD_ERR_BAD_OPTION') && /--protocol: /.test(err.message));
  assert.throws(
    () => parseCliArgs([...base, '--protocol', 'mlflow', '--path', '/predict']),
    (err: unknown) => isLoadError(err, 'LOAD_ERR_BAD_OPTION') && /--path: \/predict is the rightsize protocol's route/.test(err.message),
  );
  assert.throws(
    () => parseCliArgs([...base, '--protocol', 'fastapi', '--path', '/invocations']),
    (err: unknown) => isLoadError(err, 'LOAD_ERR_BAD_OPTION') && /--path: \/invocations is the mlflow protocol's route; with protocol fastapi/.test(err.message),
  );
  assert.throws(() => parseCliArgs([...base, '--path', '/invocations']), (err: unknown) => isLoadError(err, 'LOAD_ERR_BAD_OPTION') && /--path: \/invocations is the mlflow protocol's route/.test(err.message));
  assert.throws(() => parseCliArgs([...base, '--path', 'predict']), (err: unknown) => isLoadError(err, 'LOAD_ERR_BAD_OPTION') && /--path: /.test(err.message));
});

function pick(options: { protocol: string; path: string } | null): { protocol: string; path: string } | null {
  return options && { protocol: options.protocol, path: options.path };
}
