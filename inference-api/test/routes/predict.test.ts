import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { App } from '../../src/app.js';
import { createTestApp, loadTestModel, suiteScope } from '../helpers/app.js';
import { readGolden } from '../helpers/golden.js';
import type { LoadedModel } from '../../src/model/load-model.js';

const golden = readGolden();
const row = golden.rows[0]!;
const json = { 'content-type': 'application/json' };

describe('POST /predict', () => {
  const scope = suiteScope(after);
  let model: LoadedModel;
  let app: App;
  before(async () => {
    model = await loadTestModel(scope);
    app = await createTestApp(scope, { PREDICT_MAX_ROWS: '5', BODY_LIMIT_BYTES: '8192' }, model);
  });
  const post = (payload: unknown, headers: Record<string, string> = json) =>
    app.inject({ method: 'POST', url: '/predict', headers, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

  it('answers one row with its label, class probabilities and the model name/version', async () => {
    const res = await post(row);
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), ['label', 'model', 'probabilities']);
    assert.equal(body.label, golden.labels[0]);
    assert.deepEqual(Object.keys(body.probabilities), golden.classes);
    assert.deepEqual(body.model, { name: 'breast-cancer-gbt', version: '1' });
  });
  it('answers an array of rows with one prediction each, in order', async () => {
    const res = await post(golden.rows.slice(0, 5));
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.deepEqual(body.predictions.map((p: { label: string }) => p.label), golden.labels.slice(0, 5));
  });
  it('names a missing feature (400 PREDICT_ERR_VALIDATION)', async () => {
    const { ['mean radius']: _, ...rest } = row;
    const res = await post(rest);
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.code, 'PREDICT_ERR_VALIDATION');
    assert.deepEqual(body.fields.map((f: { field: string }) => f.field), ['mean radius']);
  });
  it('names every extra feature', async () => {
    const res = await post({ ...row, colour: 'red', size: 3 });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(new Set(res.json().fields.map((f: { field: string }) => f.field)), new Set(['colour', 'size']));
  });
  it('names every wrongly typed feature, with the row for batches', async () => {
    const res = await post([row, { ...row, 'mean area': '1123.0', 'mean texture': null }, { ...row, 'worst area': true }]);
    assert.equal(res.statusCode, 400);
    const fields = res.json().fields.map((f: { field: string; row: number }) => `${f.row}:${f.field}`);
    assert.deepEqual(new Set(fields), new Set(['1:mean area', '1:mean texture', '2:worst area']));
  });
  it('rejects non-finite numbers (1e999 parses to Infinity) and NaN spelled as a string', async () => {
    const inf = await post(JSON.stringify(row).replace('19.17', '1e999'));
    assert.equal(inf.statusCode, 400);
    assert.equal(inf.json().fields[0].field, 'mean radius');
    const nan = await post({ ...row, 'mean radius': 'NaN' });
    assert.equal(nan.statusCode, 400);
    assert.equal(nan.json().fields[0].field, 'mean radius');
  });
  it('rejects an empty batch (PREDICT_ERR_EMPTY_BATCH) and an oversized one (PREDICT_ERR_BATCH_TOO_LARGE)', async () => {
    const empty = await post([]);
    assert.equal(empty.statusCode, 400);
    assert.equal(empty.json().code, 'PREDICT_ERR_EMPTY_BATCH');
    const six = await post(golden.rows.slice(0, 6));
    assert.equal(six.statusCode, 400);
    assert.equal(six.json().code, 'PREDICT_ERR_BATCH_TOO_LARGE');
  });
  it('rejects scalars and nulls as the body', async () => {
    for (const payload of ['42', 'null', '"row"']) {
      const res = await post(payload);
      assert.equal(res.statusCode, 400, payload);
      assert.equal(res.json().code, 'PREDICT_ERR_VALIDATION');
    }
  });
  it('answers 413 PREDICT_ERR_BODY_TOO_LARGE past BODY_LIMIT_BYTES', async () => {
    const res = await post({ ...row, padding: 'x'.repeat(9000) });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().code, 'PREDICT_ERR_BODY_TOO_LARGE');
  });
  it('answers 415 for non-JSON bodies and 400 for malformed or empty JSON', async () => {
    for (const type of ['text/plain', 'text/csv', 'application/x-www-form-urlencoded']) {
      const res = await post('a=1', { 'content-type': type });
      assert.equal(res.statusCode, 415, type);
      assert.equal(res.json().code, 'PREDICT_ERR_UNSUPPORTED_MEDIA_TYPE');
    }
    const bad = await post('{"mean radius": ');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'PREDICT_ERR_INVALID_JSON');
    const empty = await post('');
    assert.equal(empty.statusCode, 400);
    assert.equal(empty.json().code, 'PREDICT_ERR_INVALID_JSON');
  });
  it('caps the reported fields at 100 and says so', async () => {
    const bad = Object.fromEntries(Object.keys(row).map((k) => [k, 'x']));
    const res = await post(Array.from({ length: 5 }, () => bad));
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().fields.length, 100);
    assert.equal(res.json().fieldsTruncated, true);
  });
});

describe('unknown routes and methods', () => {
  it('answers JSON 404 for unknown paths and 405 with Allow for known paths', async (t) => {
    const app = await createTestApp(t);
    const missing = await app.inject({ method: 'GET', url: '/nope' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'PREDICT_ERR_NOT_FOUND');
    const wrong = await app.inject({ method: 'GET', url: '/predict' });
    assert.equal(wrong.statusCode, 405);
    assert.equal(wrong.json().code, 'PREDICT_ERR_METHOD_NOT_ALLOWED');
    assert.equal(wrong.headers['allow'], 'POST');
    const v2 = await app.inject({ method: 'DELETE', url: '/v2/models/breast-cancer-gbt/infer' });
    assert.equal(v2.statusCode, 405);
  });
});
