// /invocations answers exactly what `mlflow models serve` answers (started for real from
// model/.venv, one worker) for the same model and payload: the same bytes when MLflow succeeds;
// the same status, content type and error_code when it refuses.
//
// Both sides run ONNX Runtime with ONE intra-op thread. The tree ensemble sums its 200 trees in
// a thread-count-dependent order, so float32 probabilities differ in the 7th digit between 1 and
// 2 threads (row 67: 0.2867993712425232 vs 0.2867995500564575) in Python and Node alike.
// MLflow is told through the MLmodel's own `onnx_session_options` in a copy of the folder; the
// ONNX file is the committed one, byte for byte.
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildApp, type App } from '../../src/app.js';
import { TEST_SIZING, suiteScope, testConfig } from '../helpers/app.js';
import { readGolden } from '../helpers/golden.js';
import { DEFAULT_MODEL_DIR, DIABETES_RIDGE } from '../helpers/paths.js';
import { startMlflowServe } from '../helpers/processes.js';

const golden = readGolden();
const F = golden.features;
const R = golden.rows;
const row = (over: Record<string, unknown> = {}) => ({ ...R[0], ...over });
const without = (key: string) => Object.fromEntries(Object.entries(R[0]!).filter(([k]) => k !== key));
const J = 'application/json';

export interface Case {
  name: string;
  body: string;
  type: string | null;
}
const json = (name: string, body: unknown): Case => ({ name, body: JSON.stringify(body), type: J });
const raw = (name: string, body: string, type: string | null = J): Case => ({ name, body, type });
const csvOf = (cols: string[], rows: Record<string, unknown>[], index = false) =>
  [`${index ? ',' : ''}${cols.map((c) => (c.includes(' ') ? `"${c}"` : c)).join(',')}`, ...rows.map((r, i) => `${index ? `${i},` : ''}${cols.map((c) => String(r[c])).join(',')}`)].join('\n') + '\n';

const SUCCESS: Case[] = [
  json('dataframe_split, all 143 rows', { dataframe_split: { columns: F, data: R.map((r) => F.map((k) => r[k])) } }),
  json('dataframe_records', { dataframe_records: R.slice(0, 20) }),
  json('inputs as records', { inputs: R.slice(0, 5) }),
  json('inputs as columns', { inputs: Object.fromEntries(F.map((k) => [k, R.slice(0, 5).map((r) => r[k])])) }),
  json('inputs as one row of scalars', { inputs: R[0] }),
  json('instances as records', { instances: R.slice(0, 5) }),
  json('instances as columns', { instances: Object.fromEntries(F.map((k) => [k, R.slice(0, 3).map((r) => r[k])])) }),
  json('split with reordered columns and an index', { dataframe_split: { index: [7], columns: [...F].reverse(), data: [[...F].reverse().map((k) => R[1]![k])] } }),
  json('records with an extra column', { dataframe_records: [row({ extra: 1 })] }),
  json('numeric strings, integers and booleans', { dataframe_records: [row({ 'mean radius': '19.17', 'mean area': 1123, 'mean symmetry': true })] }),
  json('null as a missing value', { dataframe_records: [row({ 'mean radius': null })] }),
  json('params and unknown keys are ignored', { dataframe_records: [R[2]], params: { a: 1 }, foo: 1 }),
  raw('NaN and Infinity literals', JSON.stringify({ dataframe_records: [row({ 'mean radius': 1 })] }).replace('"mean radius":1', '"mean radius":NaN').replace(`"worst area":${R[0]!['worst area']}`, '"worst area":Infinity')),
  raw('CSV as pandas writes it (index column)', csvOf(F, R.slice(0, 30), true), 'text/csv'),
  raw('CSV without index, charset given', csvOf(F, R.slice(0, 3)), 'text/csv; charset=utf-8'),
  raw('JSON with charset=UTF-8', JSON.stringify({ dataframe_records: [R[0]] }), 'application/json; charset=UTF-8'),
];

const ERRORS: Case[] = [
  raw('not JSON', '{nope'),
  raw('empty JSON body', ''),
  json('a list body', [R[0]]),
  json('a scalar body', 5),
  json('no format key', {}),
  json('two format keys', { inputs: [R[0]], instances: [R[0]] }),
  json('records given as a dict', { dataframe_records: R[0] }),
  json('records with an unparseable string', { dataframe_records: [row({ 'mean radius': 'abc' })] }),
  json('records missing a column', { dataframe_records: [without('mean radius')] }),
  json('empty records', { dataframe_records: [] }),
  json('split with a short row', { dataframe_split: { columns: F, data: [F.slice(1).map((k) => R[0]![k])] } }),
  json('split without column names', { dataframe_split: { data: [F.map((k) => R[0]![k])] } }),
  json('instances as a list of lists', { instances: [F.map((k) => R[0]![k])] }),
  raw('CSV missing a column', csvOf(F.slice(1), R.slice(0, 1)), 'text/csv'),
  raw('CSV with a bad value', csvOf(F, [row({ 'mean radius': 'x' })]), 'text/csv'),
  raw('empty CSV', '', 'text/csv'),
  raw('text/plain', 'hi', 'text/plain'),
  raw('latin-1 charset', JSON.stringify({ dataframe_records: [R[0]] }), 'application/json; charset=latin-1'),
  raw('unknown content-type parameter', JSON.stringify({ dataframe_records: [R[0]] }), 'application/json; format=pandas-split'),
  raw('no content type', JSON.stringify({ dataframe_records: [R[0]] }), null),
];

/** A copy of a model folder whose MLmodel pins ONNX Runtime to one intra-op thread. */
async function singleThreaded(scope: { after: (fn: () => Promise<void>) => void }, dir: string): Promise<string> {
  const copy = await mkdtemp(join(tmpdir(), 'rs-parity-'));
  scope.after(() => rm(copy, { recursive: true, force: true }));
  await cp(dir, copy, { recursive: true });
  const mlmodel = await readFile(join(copy, 'MLmodel'), 'utf8');
  const pinned = mlmodel.replace('onnx_session_options: null', 'onnx_session_options:\n      intra_op_num_threads: 1\n      inter_op_num_threads: 1');
  assert.notEqual(pinned, mlmodel, 'MLmodel has onnx_session_options: null');
  await writeFile(join(copy, 'MLmodel'), pinned);
  return copy;
}

async function viaFetch(url: string, c: Case) {
  const res = await fetch(`${url}/invocations`, { method: 'POST', body: c.body, headers: c.type ? { 'content-type': c.type } : {} });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}
async function viaInject(app: App, c: Case) {
  const res = await app.inject({ method: 'POST', url: '/invocations', payload: c.body, headers: c.type ? { 'content-type': c.type } : {} });
  return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), body: res.body };
}
const errorCode = (body: string) => {
  try {
    return (JSON.parse(body) as { error_code?: string }).error_code ?? null;
  } catch {
    return null;
  }
};

describe('parity with `mlflow models serve` (default model)', { timeout: 180_000 }, () => {
  const scope = suiteScope(after);
  let mlflow: string;
  let app: App;
  before(async () => {
    mlflow = (await startMlflowServe(scope, await singleThreaded(scope as never, DEFAULT_MODEL_DIR))).url;
    app = await buildApp({ config: testConfig({ PREDICT_MAX_ROWS: '1000' }), sizing: TEST_SIZING });
    scope.after(() => app.close());
  });

  for (const c of SUCCESS) {
    it(`answers the same bytes: ${c.name}`, async () => {
      const [theirs, ours] = [await viaFetch(mlflow, c), await viaInject(app, c)];
      assert.equal(theirs.status, 200, `mlflow refused the case itself: ${theirs.body.slice(0, 300)}`);
      assert.equal(ours.status, 200, ours.body.slice(0, 300));
      assert.equal(ours.body, theirs.body);
      assert.match(ours.type, /^application\/json/);
    });
  }
  for (const c of ERRORS) {
    it(`refuses the same way: ${c.name}`, async () => {
      const [theirs, ours] = [await viaFetch(mlflow, c), await viaInject(app, c)];
      assert.notEqual(theirs.status, 200, 'mlflow accepted the case');
      assert.equal(ours.status, theirs.status, `ours: ${ours.body.slice(0, 200)} | mlflow: ${theirs.body.slice(0, 200)}`);
      assert.equal(ours.type.split(';')[0], theirs.type.split(';')[0]);
      assert.equal(errorCode(ours.body), errorCode(theirs.body));
    });
  }
});

describe('parity with `mlflow models serve` (tensor-based signature)', { timeout: 180_000 }, () => {
  const scope = suiteScope(after);
  let mlflow: string;
  let app: App;
  before(async () => {
    mlflow = (await startMlflowServe(scope, await singleThreaded(scope as never, DIABETES_RIDGE))).url;
    app = await buildApp({ config: testConfig({ MODEL_URI: DIABETES_RIDGE }), sizing: TEST_SIZING });
    scope.after(() => app.close());
  });
  const x = [0.038, 0.05, 0.061, 0.021, -0.044, -0.034, -0.043, -0.002, 0.019, -0.017];
  for (const c of [json('inputs', { inputs: [x, x.map((v) => -v)] }), json('instances', { instances: [x] }), json('dataframe_split', { dataframe_split: { data: [x] } })]) {
    it(`answers the same bytes: ${c.name}`, async () => {
      const [theirs, ours] = [await viaFetch(mlflow, c), await viaInject(app, c)];
      assert.equal(theirs.status, 200, theirs.body.slice(0, 300));
      assert.equal(ours.body, theirs.body);
    });
  }
  it('refuses a wrongly shaped tensor the same way', async () => {
    const c = json('short row', { inputs: [[0.01, 0.02]] });
    const [theirs, ours] = [await viaFetch(mlflow, c), await viaInject(app, c)];
    assert.equal(ours.status, theirs.status);
    assert.equal(errorCode(ours.body), errorCode(theirs.body));
  });
});
