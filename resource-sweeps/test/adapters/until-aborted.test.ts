import { test } from 'node:test';
import assert from 'node:assert/strict';
import { untilAborted } from '../../src/adapters/stack-common.js';
import { SweepError } from '../../src/errors.js';

test('waiting for the stack gives way to Ctrl-C at once, and the abandoned wait cannot crash the process', async () => {
  const controller = new AbortController();
  let rejectLater: (e: Error) => void = () => undefined;
  const slow = new Promise<void>((_, reject) => (rejectLater = reject));
  const waiting = untilAborted(slow, controller.signal);
  controller.abort(new Error('Ctrl-C'));
  await assert.rejects(waiting, (e: unknown) => e instanceof SweepError && e.code === 'SWEEP_ERR_ABORTED');
  rejectLater(new Error('timed out later')); // handled: no unhandled rejection
  await new Promise((r) => setImmediate(r));
});

test('without an abort the work decides', async () => {
  const signal = new AbortController().signal;
  assert.equal(await untilAborted(Promise.resolve(7), signal), 7);
  await assert.rejects(untilAborted(Promise.reject(new Error('boom')), signal), /boom/);
});
