// Issue 17: the workshop's locustfile posts three made-up features to /predict. The answer is a
// 400 naming every unknown feature and every missing one, never a 5xx.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ErrorBody } from '../../src/errors.js';
import { createTestApp } from '../helpers/app.js';
import { readGolden } from '../helpers/golden.js';

it("answers the workshop locustfile's made-up features with 400 naming the unknown and the missing features", async (t) => {
  const app = await createTestApp(t);
  const res = await app.inject({
    method: 'POST',
    url: '/predict',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ feature1: 1.0, feature2: 2.0, feature3: 3.0 }),
  });
  assert.equal(res.statusCode, 400);
  const body = res.json<ErrorBody>();
  assert.equal(body.code, 'PREDICT_ERR_VALIDATION');
  const fields = new Map((body.fields ?? []).map((f) => [f.field, f.message]));
  for (const unknown of ['feature1', 'feature2', 'feature3']) assert.match(fields.get(unknown) ?? '', /unknown feature/, unknown);
  const features = readGolden().features;
  for (const missing of features) assert.match(fields.get(missing) ?? '', /missing/, missing);
  assert.equal(body.fields?.length, 3 + features.length, 'every offending feature, nothing else');
  assert.match(body.message, /^33 problem\(s\)/, 'the message counts them');
});
