import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { App } from '../../src/app.js';
import { createTestApp, suiteScope } from '../helpers/app.js';
import { readGolden } from '../helpers/golden.js';

const golden = readGolden();
const f = golden.features;

describe('Open Inference Protocol (/v2)', () => {
  const scope = suiteScope(after);
  let app: App;
  before(async () => {
    app = await createTestApp(scope);
  });
  const infer = (body: unknown, url = '/v2/models/breast-cancer-gbt/infer') =>
    app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });

  it('reports server and model health and metadata', async () => {
    assert.deepEqual((await app.inject('/v2/health/live')).json(), { live: true });
    assert.deepEqual((await app.inject('/v2/health/ready')).json(), { ready: true });
    assert.deepEqual((await app.inject('/v2')).json(), { name: 'rightsize', version: '0.1.0', extensions: ['binary_tensor_data'] });
    assert.deepEqual((await app.inject('/v2/models/breast-cancer-gbt/ready')).json(), { name: 'breast-cancer-gbt', ready: true });
    const meta = (await app.inject('/v2/models/breast-cancer-gbt')).json();
    assert.equal(meta.platform, 'onnxruntime_onnx');
    assert.deepEqual(meta.inputs, [{ name: 'input', datatype: 'FP32', shape: [-1, 30] }]);
    assert.deepEqual(meta.outputs.map((o: { name: string }) => o.name), ['label', 'probability_benign', 'probability_malignant']);
    assert.equal((await app.inject('/v2/models/breast-cancer-gbt/versions/1/ready')).json().ready, true);
  });
  it('infers from the graph input tensor, flat or nested', async () => {
    const rows = golden.rows.slice(0, 3).map((r) => f.map((k) => r[k]!));
    for (const data of [rows.flat(), rows]) {
      const res = await infer({ id: 'r1', inputs: [{ name: 'input', shape: [3, 30], datatype: 'FP32', data }] });
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.equal(body.model_name, 'breast-cancer-gbt');
      assert.equal(body.model_version, '1');
      assert.equal(body.id, 'r1');
      const label = body.outputs.find((o: { name: string }) => o.name === 'label');
      assert.deepEqual(label, { name: 'label', datatype: 'BYTES', shape: [3], data: golden.labels.slice(0, 3) });
    }
  });
  it('infers from one [N] tensor per signature column and filters outputs', async () => {
    const inputs = f.map((k) => ({ name: k, shape: [2], datatype: 'FP64', data: golden.rows.slice(0, 2).map((r) => r[k]) }));
    const res = await infer({ inputs, outputs: [{ name: 'probability_malignant' }] });
    assert.equal(res.statusCode, 200);
    const out = res.json().outputs;
    assert.equal(out.length, 1);
    assert.ok(Math.abs(out[0].data[0] - golden.probabilities[0]![1]!) < 1e-5);
  });
  it('answers 400 with {error} naming the bad input', async () => {
    const wrongShape = await infer({ inputs: [{ name: 'input', shape: [1, 29], datatype: 'FP32', data: Array(29).fill(1) }] });
    assert.equal(wrongShape.statusCode, 400);
    assert.match(wrongShape.json().error, /input/);
    const notNumber = await infer({ inputs: [{ name: 'input', shape: [1, 30], datatype: 'FP32', data: [...Array(29).fill(1), 'x'] }] });
    assert.equal(notNumber.statusCode, 400);
    assert.equal(notNumber.json().fields[0].field, 'input[29]');
    const noInputs = await infer({ inputs: [] });
    assert.equal(noInputs.statusCode, 400);
    assert.equal(typeof noInputs.json().error, 'string');
    const badOutput = await infer({ inputs: [{ name: 'input', shape: [1, 30], datatype: 'FP32', data: Array(30).fill(1) }], outputs: [{ name: 'nope' }] });
    assert.equal(badOutput.statusCode, 400);
  });
  it('answers 404 for another model name or version', async () => {
    const res = await infer({ inputs: [] }, '/v2/models/other/infer');
    assert.ok(res.statusCode === 404 || res.statusCode === 400);
    const meta = await app.inject('/v2/models/other');
    assert.equal(meta.statusCode, 404);
    assert.equal(meta.json().code, 'PREDICT_ERR_MODEL_NOT_FOUND');
    assert.equal((await app.inject('/v2/models/breast-cancer-gbt/versions/9')).statusCode, 404);
  });
});
