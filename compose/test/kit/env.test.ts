// The environment reader every config.ts uses: empty is unset, all problems at once, parsed once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { createEnvReader, envFlag, envString, envStringOr } from '../../src/kit/env.js';

const Schema = z.object({ RS_KIT_NAME: envString, RS_KIT_IMAGE: envStringOr('k6:1'), RS_KIT_FLAG: envFlag, RS_KIT_N: z.coerce.number().int().optional() });
const reader = createEnvReader(Schema, { onError: (problems) => new Error(`invalid environment: ${problems.join('; ')}`) });

test('empty strings count as unset; flags are yes unless 0/false/no', () => {
  assert.deepEqual(reader.parse({ RS_KIT_NAME: ' ', RS_KIT_IMAGE: '', RS_KIT_FLAG: 'no' }), { RS_KIT_NAME: undefined, RS_KIT_IMAGE: 'k6:1', RS_KIT_FLAG: false });
  assert.equal(reader.parse({ RS_KIT_FLAG: '1' }).RS_KIT_FLAG, true);
  assert.ok(Object.isFrozen(reader.parse({})));
});

test('a bad value throws the workspace error naming the variable', () => {
  assert.throws(() => reader.parse({ RS_KIT_N: '1.5' }), /^Error: invalid environment: RS_KIT_N: /);
});

test('process.env is parsed once, until reset', (t) => {
  t.after(() => {
    delete process.env.RS_KIT_NAME;
    reader.reset();
  });
  process.env.RS_KIT_NAME = 'a';
  assert.equal(reader.get().RS_KIT_NAME, 'a');
  process.env.RS_KIT_NAME = 'b';
  assert.equal(reader.get().RS_KIT_NAME, 'a');
  reader.reset();
  assert.equal(reader.get().RS_KIT_NAME, 'b');
});
