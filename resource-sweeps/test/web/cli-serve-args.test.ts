import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCliArgs } from '../../src/cli-args.js';
import { SweepError } from '../../src/errors.js';
import { webOptionsFromArgs } from '../../src/web/web-options.js';

function argsKey(argv: string[]): string | undefined {
  try {
    parseCliArgs(argv);
  } catch (e) {
    assert.ok(e instanceof SweepError);
    assert.equal(e.code, 'SWEEP_ERR_ARGS');
    return e.key;
  }
  assert.fail(`expected ${argv.join(' ')} to be refused`);
}

test('`serve` and `--serve` take the live page options', () => {
  assert.deepEqual(parseCliArgs(['serve', '--port', '0', '--host', '::1']), { kind: 'serve', web: { host: '::1', port: 0, token: null, target: null, statsUrl: null }, reports: null });
  const run = parseCliArgs(['--quick', '--serve', '--token', 'x'.repeat(16)]);
  assert.equal(run.kind, 'run');
  assert.equal((run as { serve?: { token: string } }).serve?.token, 'x'.repeat(16));
  assert.equal('serve' in parseCliArgs(['--quick']), false, 'a plain sweep has no serve options');
});

test('live page flags without --serve, and bad ports, are refused naming the flag', () => {
  assert.equal(argsKey(['--quick', '--port', '9000']), '--port');
  assert.equal(argsKey(['serve', '--port', '70000']), '--port');
  assert.equal(argsKey(['serve', '--quick']), '--quick');
  assert.equal(argsKey(['plan', '--serve']), '--serve');
});

test('a public bind without a token is refused before anything starts', () => {
  const args = { host: '0.0.0.0', port: null, token: null, target: null, statsUrl: null };
  assert.throws(() => webOptionsFromArgs(args, '/tmp'), (e: unknown) => e instanceof SweepError && e.key === '--token');
  assert.equal(webOptionsFromArgs({ ...args, token: 't'.repeat(20) }, '/tmp').token, 't'.repeat(20));
});
