/** The k6 scripts' own reading of RS_* (the second line behind the runner's validation). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readConfig } from '../k6/lib/config.js';

const base = { RS_TARGET: 'http://127.0.0.1:8000', RS_MAX: '500' };

test('RS_PROTOCOL picks the route unless RS_PATH is given; empty means unset', () => {
  assert.deepEqual(pick(readConfig('steps', base)), ['rightsize', '/predict']);
  assert.deepEqual(pick(readConfig('steps', { ...base, RS_PROTOCOL: '' })), ['rightsize', '/predict']);
  assert.deepEqual(pick(readConfig('steps', { ...base, RS_PROTOCOL: 'mlflow' })), ['mlflow', '/invocations']);
  assert.deepEqual(pick(readConfig('steps', { ...base, RS_PROTOCOL: 'mlflow', RS_PATH: '/a/invocations' })), ['mlflow', '/a/invocations']);
  assert.deepEqual(pick(readConfig('steps', { ...base, RS_PROTOCOL: 'fastapi' })), ['fastapi', '/predict']);
  assert.deepEqual(pick(readConfig('steps', { ...base, RS_PROTOCOL: 'fastapi', RS_PATH: '/predict' })), ['fastapi', '/predict']);
});

test('an unknown RS_PROTOCOL or a route of the other protocol fails at init, naming the variable', () => {
  assert.throws(() => readConfig('steps', { ...base, RS_PROTOCOL: 'v2' }), /RS_PROTOCOL=v2: expected one of rightsize, mlflow, fastapi/);
  assert.throws(() => readConfig('steps', { ...base, RS_PROTOCOL: 'mlflow', RS_PATH: '/predict' }), /RS_PATH=\/predict: .*rightsize protocol's route/);
  assert.throws(() => readConfig('steps', { ...base, RS_PROTOCOL: 'fastapi', RS_PATH: '/invocations' }), /RS_PATH=\/invocations: .*mlflow protocol's route/);
});

function pick(config: { protocol: string; path: string }): [string, string] {
  return [config.protocol, config.path];
}
