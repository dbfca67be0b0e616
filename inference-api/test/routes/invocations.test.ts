// /invocations contract without MLflow running (test/parity/ compares with `mlflow models serve`).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { App } from '../../src/app.js';
import { createTestApp, suiteScope } from '../helpers/app.js';
import { readGolden } from '../helpers/golden.js';
import { DIABETES_RIDGE, IRIS_MLP } from '../helpers/paths.js';

const golden = readGolden();
const f = golden.features;

describe('POST /invocations (default model)', () => {
  const scope = suiteScope(after);
  let app: App;
  before(async () => {
    app = await createTestApp(scope, { PREDICT_MAX_ROWS: '50' });
  });
  const post = (payload: string, type: string | null = 'application/json') =>
    app.inject({ method: 'POST', url: '/invocations', headers: type ? { 'content-type': type } : {}, payload });

  it('answers dataframe_split, dataframe_records, inputs and instances alike, in MLflow text form', async () => {
    const rows = golden.rows.slice(0, 2);
    const bodies = [
      { dataframe_split: { columns: f, data: rows.map((r) => f.map((k) => r[k])) } },
      { dataframe_records: rows },
      { inputs: rows },
      { instances: rows },
      { inputs: Object.fromEntries(f.map((k) => [k, rows.map((r) => r[k])])) },
    ];
    const texts = await Promise.all(bodies.map(async (b) => (await post(JSON.stringify(b))).body));
    assert.ok(texts.every((t) => t === texts[0]), 'same answer for every format');
    assert.match(texts[0]!, /^\{"predictions": \[\{"label": "malignant", "probability_benign": 0\.0006301999092102051, /);
  });
  it('accepts CSV with a header row and any column order', async () => {
    const cols = [...f].reverse();
    const csv = `${cols.map((c) => `"${c}"`).join(',')}\n${cols.map((c) => golden.rows[0]![c]).join(',')}\n`;
    const res = await post(csv, 'text/csv');
    assert.equal(res.statusCode, 200);
    assert.equal(JSON.parse(res.body).predictions[0].label, golden.labels[0]);
  });
  it('uses MLflow error codes: BAD_REQUEST for malformed input, INVALID_PARAMETER_VALUE for schema mismatches', async () => {
    const cases: [string, string, number, string][] = [
      ['{nope', 'application/json', 400, 'BAD_REQUEST'],
      ['[1, 2]', 'application/json', 400, 'BAD_REQUEST'],
      ['{}', 'application/json', 400, 'BAD_REQUEST'],
      [JSON.stringify({ dataframe_records: golden.rows[0] }), 'application/json', 400, 'BAD_REQUEST'],
      [JSON.stringify({ dataframe_records: [{ ...golden.rows[0], 'mean radius': 'abc' }] }), 'application/json', 400, 'BAD_REQUEST'],
      [JSON.stringify({ dataframe_records: [{ 'mean radius': 1 }] }), 'application/json', 400, 'INVALID_PARAMETER_VALUE'],
      [JSON.stringify({ instances: [f.map((k) => golden.rows[0]![k])] }), 'application/json', 400, 'INVALID_PARAMETER_VALUE'],
      ['a,b\nx,y\n', 'text/csv', 400, 'INVALID_PARAMETER_VALUE'],
    ];
    for (const [payload, type, status, code] of cases) {
      const res = await post(payload, type);
      assert.equal(res.statusCode, status, payload.slice(0, 60));
      assert.equal(JSON.parse(res.body).error_code, code, payload.slice(0, 60));
      assert.ok(JSON.parse(res.body).message.length > 0);
    }
  });
  it('answers 415 in plain text for other media types and charsets, like MLflow', async () => {
    for (const type of ['text/plain', 'application/json; charset=latin-1', 'application/json; format=pandas-split', null]) {
      const res = await post('{}', type);
      assert.equal(res.statusCode, 415, String(type));
      assert.match(res.headers['content-type'] as string, /^text\/plain/);
    }
  });
  it('counts the PREDICT_MAX_ROWS limit against /invocations too', async () => {
    const res = await post(JSON.stringify({ dataframe_records: Array.from({ length: 51 }, () => golden.rows[0]) }));
    assert.equal(res.statusCode, 400);
    assert.equal(JSON.parse(res.body).error_code, 'BAD_REQUEST');
  });
});

describe('POST /invocations (other model shapes)', () => {
  it('gives [N, k] probabilities as a list per row (MLflow itself cannot serve this shape)', async (t) => {
    const app = await createTestApp(t, { MODEL_URI: IRIS_MLP });
    const res = await app.inject({ method: 'POST', url: '/invocations', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ dataframe_records: [{ 'sepal length (cm)': 5.1, 'sepal width (cm)': 3.5, 'petal length (cm)': 1.4, 'petal width (cm)': 0.2 }] }) });
    assert.equal(res.statusCode, 200);
    const body = JSON.parse(res.body);
    assert.equal(body.predictions[0].label, 0);
    assert.equal(body.predictions[0].probabilities.length, 3);
  });
  it('answers tensor inputs with a dict of nested lists for a tensor-based signature', async (t) => {
    const app = await createTestApp(t, { MODEL_URI: DIABETES_RIDGE });
    const res = await app.inject({ method: 'POST', url: '/invocations', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ inputs: [Array(10).fill(0.01), Array(10).fill(-0.02)] }) });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /^\{"predictions": \{"variable": \[\[\d+\.\d+\], \[\d+\.\d+\]\]\}\}$/);
    const bad = await app.inject({ method: 'POST', url: '/invocations', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ inputs: [Array(9).fill(0)] }) });
    assert.equal(bad.statusCode, 400);
  });
});
