import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StartupError } from '../../src/errors.js';
import { classLabelsOf, parseSignature, readMLmodel } from '../../src/model/mlmodel.js';
import { DEFAULT_MODEL_DIR, DIABETES_RIDGE } from '../helpers/paths.js';

async function folderWith(t: { after: (fn: () => Promise<void>) => void }, mlmodel: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rs-mlmodel-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'MLmodel'), mlmodel);
  return dir;
}

const isFormatError = (fragment: string) => (err: unknown) =>
  err instanceof StartupError && err.code === 'PREDICT_ERR_MODEL_FORMAT' && err.message.includes(fragment);

describe('readMLmodel', () => {
  it('reads the committed model: onnx flavor, 30 named double columns, classes, registry meta', async () => {
    const m = await readMLmodel(DEFAULT_MODEL_DIR);
    assert.ok(m.onnxFile.endsWith('model.onnx'));
    assert.equal(m.signature?.kind, 'columns');
    assert.equal(m.signature?.kind === 'columns' && m.signature.columns.length, 30);
    assert.deepEqual(classLabelsOf(m), ['benign', 'malignant']);
    assert.deepEqual(m.registered, { name: 'breast-cancer-gbt', version: '1' });
  });
  it('reads a tensor-based signature', async () => {
    const m = await readMLmodel(DIABETES_RIDGE);
    assert.equal(m.signature?.kind, 'tensors');
  });
  it('names the file when MLmodel is missing', async (t) => {
    const dir = await folderWith(t, 'x: 1');
    await assert.rejects(readMLmodel(join(dir, 'nope')), isFormatError('nope/MLmodel'));
  });
  it('names flavors.onnx when the model is not ONNX', async (t) => {
    const dir = await folderWith(t, 'flavors:\n  sklearn:\n    pickled_model: model.pkl\n');
    await assert.rejects(readMLmodel(dir), isFormatError('flavors.onnx'));
  });
  it('names signature.inputs when it is not valid JSON or not supported', async (t) => {
    const dir = await folderWith(t, "flavors:\n  onnx:\n    data: model.onnx\nsignature:\n  inputs: '[{\"name\": oops'\n");
    await assert.rejects(readMLmodel(dir), isFormatError('signature.inputs'));
    assert.throws(() => parseSignature('MLmodel', '[{"name": "a", "type": "datetime"}]'), isFormatError('signature.inputs'));
  });
  it('reports invalid YAML with the file name', async (t) => {
    const dir = await folderWith(t, 'flavors: [unclosed');
    await assert.rejects(readMLmodel(dir), isFormatError('invalid YAML'));
  });
});
