// Issue 17: the OpenAPI document at /docs/json is the contract. Schemathesis fuzzes every operation
// from it with every check (undocumented statuses, schema-valid requests rejected, invalid ones
// accepted, 405 + Allow for undeclared methods, response schemas and content types) and must
// find nothing. Fixed seed and bounded examples, so a run is repeatable and takes well under a minute.
import assert from 'node:assert/strict';
import path from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runSchemathesis } from '@rightsize/compose/testing';
import { createTestApp } from '../helpers/app.js';

const MAX_EXAMPLES = 30;
const SEED = 17;
// the one check switched off, on the infer routes only, and why: in this file
const CONFIG = path.join(path.dirname(fileURLToPath(import.meta.url)), 'schemathesis.toml');

it('Schemathesis finds no contract violation in the API against its own OpenAPI document', { timeout: 300_000 }, async (t) => {
  const app = await createTestApp(t);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const run = await runSchemathesis(t, { schemaUrl: `${base}/docs/json`, baseUrl: base, maxExamples: MAX_EXAMPLES, seed: SEED, configFile: CONFIG });
  if (!run) return;
  t.diagnostic(`schemathesis: ${run.cases ?? '?'} test cases (max ${MAX_EXAMPLES} examples per operation and phase, seed ${SEED}) in ${(run.ms / 1000).toFixed(1)} s`);
  assert.equal(run.code, 0, `schemathesis exited ${run.code}:\n${run.output}`);
});
