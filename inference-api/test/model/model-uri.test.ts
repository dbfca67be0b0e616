import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StartupError } from '../../src/errors.js';
import { parseModelUri } from '../../src/model/model-uri.js';

describe('parseModelUri', () => {
  it('resolves relative local paths against the working directory', () => {
    assert.deepEqual(parseModelUri('model/artifacts/x', '/repo'), { kind: 'local', path: '/repo/model/artifacts/x' });
    assert.deepEqual(parseModelUri('/abs/x', '/repo'), { kind: 'local', path: '/abs/x' });
    assert.deepEqual(parseModelUri('file:///abs/y', '/repo'), { kind: 'local', path: '/abs/y' });
  });
  it('reads registry aliases and versions', () => {
    assert.deepEqual(parseModelUri('models:/breast-cancer-gbt@champion', '/'), { kind: 'alias', name: 'breast-cancer-gbt', alias: 'champion' });
    assert.deepEqual(parseModelUri('models:/breast-cancer-gbt/3', '/'), { kind: 'version', name: 'breast-cancer-gbt', version: '3' });
  });
  it('reads run artifact references', () => {
    assert.deepEqual(parseModelUri('runs:/abc123/model', '/'), { kind: 'run', runId: 'abc123', path: 'model' });
  });
  it('rejects stages, bare names, missing run paths and object-store schemes with PREDICT_ERR_MODEL_URI', () => {
    for (const uri of ['models:/m/Production', 'models:/m', 'runs:/abc', 's3://bucket/model', 'models:/m-0123abcd']) {
      assert.throws(() => parseModelUri(uri, '/'), (err: unknown) => err instanceof StartupError && err.code === 'PREDICT_ERR_MODEL_URI' && err.message.includes(uri), uri);
    }
  });
});
