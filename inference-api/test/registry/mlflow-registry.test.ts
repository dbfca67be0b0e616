// MODEL_URI through a real MLflow tracking server (sqlite backend, local artifact store,
// artifact proxy): the model is trained and registered by model/'s own script, then the API
// resolves models:/<name>@<alias>, models:/<name>/<version> and runs:/<id>/<path>, downloads the
// files through the artifact proxy into its cache, and predicts. No mock of MLflow anywhere.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StartupError } from '../../src/errors.js';
import { loadModel } from '../../src/model/load-model.js';
import { TEST_SIZING, suiteScope, testConfig } from '../helpers/app.js';
import { readGolden } from '../helpers/golden.js';
import { requireVenv } from '../helpers/paths.js';
import { freePort, run, runApiExpectingExit, startApi, startMlflowServer } from '../helpers/processes.js';

const golden = readGolden();

describe('models from an MLflow registry', { timeout: 300_000 }, () => {
  const scope = suiteScope(after);
  let tracking: string;
  let cacheDir: string;
  before(async () => {
    const bin = requireVenv();
    const state = await mkdtemp(join(tmpdir(), 'rs-mlflow-'));
    scope.after(() => rm(state, { recursive: true, force: true }));
    cacheDir = join(state, 'cache');
    tracking = (await startMlflowServer(scope, state)).url;
    await run(scope, `${bin}/python`, ['-m', 'rightsize_model.train', '--no-export'], { ...process.env, MLFLOW_TRACKING_URI: tracking, PATH: `${bin}:${process.env['PATH'] ?? ''}` });
  });

  it('starts the API with models:/breast-cancer-gbt@champion and predicts like scikit-learn', async (t) => {
    const api = await startApi(t, { MODEL_URI: 'models:/breast-cancer-gbt@champion', MLFLOW_TRACKING_URI: tracking, MODEL_CACHE_DIR: cacheDir });
    const res = await fetch(`${api.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(golden.rows.slice(0, 20)) });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { predictions: { label: string }[]; model: { name: string; version: string } };
    assert.deepEqual(body.predictions.map((p) => p.label), golden.labels.slice(0, 20));
    assert.deepEqual(body.model, { name: 'breast-cancer-gbt', version: '1' });
    const info = (await (await fetch(`${api.url}/model`)).json()) as { source: { fromCache: boolean; registry: { alias: string; trackingUri: string } } };
    assert.equal(info.source.registry.alias, 'champion');
    assert.equal(info.source.registry.trackingUri, tracking);
    assert.equal(info.source.fromCache, false);
    assert.ok((await readdir(cacheDir, { recursive: true })).some((f) => String(f).endsWith('model.onnx')), 'files landed in MODEL_CACHE_DIR');
  });

  it('resolves a version number and reuses the cached files', async (t) => {
    const model = await loadModel({ config: testConfig({ MODEL_URI: 'models:/breast-cancer-gbt/1', MLFLOW_TRACKING_URI: tracking, MODEL_CACHE_DIR: cacheDir }), sizing: TEST_SIZING });
    t.after(() => model.close());
    assert.equal(model.version, '1');
    assert.equal(model.source.fromCache, true);
  });

  it('resolves runs:/<run_id>/model to the logged model of that run', async (t) => {
    const first = await loadModel({ config: testConfig({ MODEL_URI: 'models:/breast-cancer-gbt/1', MLFLOW_TRACKING_URI: tracking, MODEL_CACHE_DIR: cacheDir }), sizing: TEST_SIZING });
    const runId = first.source.registry!.runId!;
    await first.close();
    const model = await loadModel({ config: testConfig({ MODEL_URI: `runs:/${runId}/model`, MLFLOW_TRACKING_URI: tracking, MODEL_CACHE_DIR: cacheDir }), sizing: TEST_SIZING });
    t.after(() => model.close());
    assert.equal(model.source.run?.runId, runId);
    assert.equal(model.digest.onnxSha256, first.digest.onnxSha256);
  });

  it('fails with PREDICT_ERR_MLFLOW naming the alias when it does not exist', async () => {
    await assert.rejects(
      loadModel({ config: testConfig({ MODEL_URI: 'models:/breast-cancer-gbt@nope', MLFLOW_TRACKING_URI: tracking, MODEL_CACHE_DIR: cacheDir }), sizing: TEST_SIZING }),
      (e: unknown) => e instanceof StartupError && e.code === 'PREDICT_ERR_MLFLOW' && /nope/.test(e.message),
    );
  });

  it('exits non-zero with PREDICT_ERR_MLFLOW when the tracking server cannot be reached', async (t) => {
    const port = await freePort();
    const result = await runApiExpectingExit(t, { MODEL_URI: 'models:/breast-cancer-gbt@champion', MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}`, MODEL_CACHE_DIR: cacheDir });
    assert.equal(result.code, 1);
    assert.match(result.output, /PREDICT_ERR_MLFLOW: cannot reach MLflow at MLFLOW_TRACKING_URI=http:\/\/127\.0\.0\.1:\d+/);
  });
});

