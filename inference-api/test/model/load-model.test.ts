import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StartupError } from '../../src/errors.js';
import { loadModel } from '../../src/model/load-model.js';
import { parseOnnxMeta } from '../../src/model/onnx-meta.js';
import { TEST_SIZING, testConfig } from '../helpers/app.js';
import { DEFAULT_MODEL_DIR, DIABETES_RIDGE, IRIS_MLP } from '../helpers/paths.js';

const load = (uri: string) => loadModel({ config: testConfig({ MODEL_URI: uri }), sizing: TEST_SIZING });

describe('loadModel', () => {
  it('loads the committed model with per-class probability outputs and its ONNX metadata', async (t) => {
    const m = await load(DEFAULT_MODEL_DIR);
    t.after(() => m.close());
    assert.equal(m.name, 'breast-cancer-gbt');
    assert.equal(m.version, '1');
    assert.equal(m.inputs.layout, 'packed-columns');
    assert.equal(m.outputs.task, 'classification');
    assert.deepEqual(m.outputs.classes, ['benign', 'malignant']);
    assert.equal(m.onnx.producerName, 'rightsize-model/skl2onnx');
    assert.equal(m.onnx.metadataProps['class_labels'], 'benign,malignant');
    assert.match(m.digest.onnxSha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(m.threads, { intraOp: 1, interOp: 1 });
  });
  it('loads a model whose weights live in an external data file, with a [N, k] probabilities output', async (t) => {
    assert.ok((await readdir(IRIS_MLP)).some((f) => f.endsWith('.data')), 'fixture has external data');
    const m = await load(IRIS_MLP);
    t.after(() => m.close());
    const golden = JSON.parse(readFileSync(join(IRIS_MLP, 'golden.json'), 'utf8')) as { rows: Record<string, number>[]; labels: number[]; probabilities: number[][]; classes: string[] };
    const batch = m.inputs.allocate(golden.rows.length);
    golden.rows.forEach((r, i) => m.inputs.write(batch, i, r));
    const out = await m.run(batch);
    golden.rows.forEach((_, i) => {
      const p = m.outputs.decode(out, i) as { label: string; probabilities: Record<string, number> };
      assert.equal(p.label, golden.classes[golden.labels[i]!], 'integer label mapped to its class name');
      golden.classes.forEach((c, j) => assert.ok(Math.abs(p.probabilities[c]! - golden.probabilities[i]![j]!) < 1e-5));
    });
    assert.ok(m.digest.files.some((f) => f.path.endsWith('.data')), 'checksum covers the external data');
  });
  it('loads a regressor with a tensor-based signature', async (t) => {
    const m = await load(DIABETES_RIDGE);
    t.after(() => m.close());
    assert.equal(m.inputs.layout, 'tensors');
    assert.equal(m.outputs.task, 'regression');
    const golden = JSON.parse(readFileSync(join(DIABETES_RIDGE, 'golden.json'), 'utf8')) as { rows: number[][]; values: number[] };
    const batch = m.inputs.allocate(golden.rows.length);
    golden.rows.forEach((r, i) => m.inputs.write(batch, i, { [m.inputs.fields[0]!.name]: r }));
    const out = await m.run(batch);
    golden.values.forEach((v, i) => {
      const p = m.outputs.decode(out, i) as { value: number };
      assert.ok(Math.abs(p.value - v) / Math.abs(v) < 1e-5, `${p.value} vs ${v}`);
    });
  });
  it('fails with PREDICT_ERR_MODEL_URI for a missing folder', async () => {
    await assert.rejects(load('/nonexistent/model'), (e: unknown) => e instanceof StartupError && e.code === 'PREDICT_ERR_MODEL_URI');
  });
  it('fails with PREDICT_ERR_MODEL_URI for a registry URI without MLFLOW_TRACKING_URI', async () => {
    await assert.rejects(load('models:/x@champion'), (e: unknown) => e instanceof StartupError && e.code === 'PREDICT_ERR_MODEL_URI' && e.message.includes('MLFLOW_TRACKING_URI'));
  });
  it('fails with PREDICT_ERR_MODEL_LOAD when model.onnx is not an ONNX graph', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'rs-broken-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await cp(DEFAULT_MODEL_DIR, dir, { recursive: true });
    await writeFile(join(dir, 'model.onnx'), Buffer.from([0x08, 0x08, 0x12, 0x03, 0x61, 0x62, 0x63]));
    await assert.rejects(load(dir), (e: unknown) => e instanceof StartupError && e.code === 'PREDICT_ERR_MODEL_LOAD');
  });
  it('fails with PREDICT_ERR_MODEL_FORMAT when the signature does not fit the graph', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'rs-mismatch-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await cp(IRIS_MLP, dir, { recursive: true });
    const mlmodel = readFileSync(join(DEFAULT_MODEL_DIR, 'MLmodel'), 'utf8').replace('data: model.onnx', 'data: model.onnx');
    await writeFile(join(dir, 'MLmodel'), mlmodel);
    await assert.rejects(load(dir), (e: unknown) => e instanceof StartupError && e.code === 'PREDICT_ERR_MODEL_FORMAT' && /30 columns/.test(e.message));
  });
});

describe('parseOnnxMeta', () => {
  it('reads ir version, opsets and metadata_props from the protobuf header', () => {
    const meta = parseOnnxMeta(readFileSync(join(DEFAULT_MODEL_DIR, 'model.onnx')));
    assert.equal(meta.irVersion, 8);
    assert.deepEqual(meta.opsets.find((o) => o.domain === '')?.version, 17);
    assert.equal(meta.metadataProps['framework'], 'scikit-learn');
  });
  it('throws on truncated input', () => {
    assert.throws(() => parseOnnxMeta(Uint8Array.from([0x12, 0x10, 0x61])));
  });
});
