import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSweepOwner, isProcessAlive, parseSweepOwner } from '../../src/adapters/stale-cleanup.js';

test('a sweep owner carries its pid, and the load generator owner derived from it is recognised', () => {
  const owner = createSweepOwner(4242);
  assert.match(owner, /^rs-sweep-4242-[0-9a-f]{6}$/);
  assert.deepEqual(parseSweepOwner(owner), { owner, pid: 4242 });
  assert.deepEqual(parseSweepOwner(`rs-load-${owner}-t3a1`), { owner, pid: 4242 });
});

test('owners that are not a sweep\'s are never matched (other engineers\' objects are left alone)', () => {
  for (const value of ['rs-smoke-abc', 'rs-test-123', 'rs-load-20250101-k6', 'rs-sweeper-1-ab', '']) assert.equal(parseSweepOwner(value), null, value);
});

test('this process is alive; a pid that cannot exist is not', () => {
  assert.equal(isProcessAlive(process.pid), true);
  assert.equal(isProcessAlive(2 ** 30), false);
});
