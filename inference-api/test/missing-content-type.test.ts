// Issue 17: a JSON body without Content-Type is JSON (what Triton, KServe and tritonclient assume);
// other unknown types still get 415, and /invocations keeps MLflow's 415 for a missing type.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { App } from '../src/app.js';
import { createTestApp, suiteScope } from './helpers/app.js';
import { readGolden } from './helpers/golden.js';

const golden = readGolden();

describe('requests without Content-Type', () => {
  const scope = suiteScope(after);
  let app: App;
  before(async () => {
    app = await createTestApp(scope);
  });
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) => app.inject({ method: 'POST', url, headers, payload: JSON.stringify(body) });

  it('reads a JSON body without Content-Type as JSON on /predict and /v2/.../infer', async () => {
    // inject() sets no Content-Type for a string payload.
    const predict = await post('/predict', golden.rows[0]);
    assert.equal(predict.statusCode, 200, predict.body);
    assert.equal(predict.json().label, golden.labels[0]);
    const row = golden.features.map((k) => golden.rows[0]![k]!);
    const infer = await post('/v2/models/breast-cancer-gbt/infer', { inputs: [{ name: 'input', shape: [1, 30], datatype: 'FP32', data: row }], outputs: [{ name: 'label' }] });
    assert.equal(infer.statusCode, 200, infer.body);
    assert.deepEqual(infer.json().outputs[0].data, [golden.labels[0]]);
  });
  it('answers 400 PREDICT_ERR_INVALID_JSON for a body without Content-Type that is not JSON', async () => {
    const res = await app.inject({ method: 'POST', url: '/predict', payload: 'a=1' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'PREDICT_ERR_INVALID_JSON');
  });
  it('still answers 415 for other content types, and on /invocations for none (as MLflow does)', async () => {
    const text = await post('/predict', golden.rows[0], { 'content-type': 'text/plain' });
    assert.equal(text.statusCode, 415);
    assert.equal(text.json().code, 'PREDICT_ERR_UNSUPPORTED_MEDIA_TYPE');
    const octet = await post('/predict', golden.rows[0], { 'content-type': 'application/octet-stream' });
    assert.equal(octet.statusCode, 415);
    const invocations = await post('/invocations', { dataframe_records: [golden.rows[0]] });
    assert.equal(invocations.statusCode, 415);
  });
});
