// One coded-error base: codes to assert, one terminal format, one guard per class.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CodedDataError, CodedError, errorGuard, isCodedError } from '../../src/kit/errors.js';

class ToyError extends CodedError<'TOY_ERR_A' | 'TOY_ERR_B'> {
  override name = 'ToyError';
}
const isToyError = errorGuard(ToyError);

test('format() prints code, file and key, the message, the detail lines and the hint', () => {
  const err = new ToyError('TOY_ERR_A', '2 problems in the plan', { file: 'plan.yml', key: 'a.b[1]', details: ['a.b[1]: too small', 'c: unknown key'], hint: 'fix the keys above' });
  assert.equal(err.format(), 'TOY_ERR_A plan.yml a.b[1]: 2 problems in the plan\n  a.b[1]: too small\n  c: unknown key\n  -> fix the keys above');
  assert.equal(new ToyError('TOY_ERR_B', 'stopped').format(), 'TOY_ERR_B: stopped');
});

test('data details are kept (frozen) but not printed', () => {
  const err = new CodedDataError('X_ERR', 'failed', { exitCode: 2 }, { hint: 'retry' });
  assert.deepEqual(err.details, { exitCode: 2 });
  assert.ok(Object.isFrozen(err.details));
  assert.equal(err.format(), 'X_ERR: failed\n  -> retry');
  assert.deepEqual(new ToyError('TOY_ERR_A', 'x').details, []);
});

test('the cause is passed on only when there is one', () => {
  const cause = new Error('root');
  assert.equal(new ToyError('TOY_ERR_A', 'x', { cause }).cause, cause);
  assert.ok(!('cause' in new ToyError('TOY_ERR_A', 'x')));
});

test('guards check the class and, when given, the code', () => {
  const err = new ToyError('TOY_ERR_A', 'x');
  assert.equal(err.name, 'ToyError');
  assert.ok(isToyError(err));
  assert.ok(isToyError(err, 'TOY_ERR_A'));
  assert.ok(isCodedError(err, 'TOY_ERR_A'));
  assert.ok(!isToyError(new CodedError('TOY_ERR_A', 'x')));
  assert.ok(!isToyError(err, 'TOY_ERR_B'));
  assert.ok(!isCodedError(new Error('x')));
});
