// zod issues as `key: message` lines, one key format everywhere.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { formatIssues, formatKey, issueEntries } from '../../src/kit/issues.js';

const Schema = z.object({ candidates: z.object({ cpus: z.array(z.number().positive()) }).strict(), name: z.string() }).strict();
const issuesOf = (value: unknown) => {
  const parsed = Schema.safeParse(value);
  assert.ok(!parsed.success);
  return parsed.error.issues;
};

test('keys are dotted names with [i] for indexes, and a label for the top level', () => {
  assert.equal(formatKey(['candidates', 'cpus', 2]), 'candidates.cpus[2]');
  assert.equal(formatKey([0, 'a']), '[0].a');
  assert.equal(formatKey([]), '(root)');
  assert.equal(formatKey([], '(top level)'), '(top level)');
});

test('one line per issue, in order, up to the limit', () => {
  const issues = issuesOf({ candidates: { cpus: [1, -1] } });
  assert.deepEqual(
    formatIssues(issues).map((l) => l.split(':')[0]),
    ['candidates.cpus[1]', 'name'],
  );
  assert.equal(formatIssues(issues, { limit: 1 }).length, 1);
  assert.deepEqual(formatIssues(issuesOf('x'), { root: '(options)' }).map((l) => l.split(':')[0]), ['(options)']);
});

test('unknown keys can be listed one by one, and keys renamed', () => {
  const issues = issuesOf({ candidates: { cpus: [], gpus: 1, tpus: 2 }, name: 'a' });
  assert.deepEqual(formatIssues(issues, { unknownKey: 'unknown key' }), ['candidates.gpus: unknown key', 'candidates.tpus: unknown key']);
  assert.deepEqual(
    issueEntries(issues, { unknownKey: 'unknown key', rename: (key) => `--${key}` }).map((e) => [e.path, e.key]),
    [
      [['candidates', 'gpus'], '--candidates.gpus'],
      [['candidates', 'tpus'], '--candidates.tpus'],
    ],
  );
});
