// Docker tier: the `mlflow` profile. An MLflow tracking server with its registry starts, the
// one-shot job trains and registers the model (alias champion), and the API, started only
// after the job succeeded, serves models:/breast-cancer-gbt@champion fetched through the
// tracking server — and still matches the golden outputs.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createCompose } from '../src/compose.js';
import { createDocker } from '../src/docker.js';
import { REPO_ROOT } from '../src/images/repo-info.js';
import { createOwner, getFreePort, registerCleanup, requireDocker } from '../src/testing.js';
import { goldenMismatches, predict, readGolden, waitForOk, type Prediction } from './helpers/golden.js';
import { API_IMAGE, LB_IMAGE, MLFLOW_IMAGE, MODEL_IMAGE } from './helpers/image-names.js';

const docker = createDocker();

describe('compose mlflow profile', () => {
  it('trains and registers the model, and the API serves it from the registry', { timeout: 300_000 }, async (t) => {
    if (!(await requireDocker(t, { images: [API_IMAGE, LB_IMAGE, MLFLOW_IMAGE, MODEL_IMAGE] }))) return;
    const project = createOwner('mlflow');
    registerCleanup(t, project);
    const [port, statsPort, mlflowPort] = [await getFreePort(), await getFreePort(), await getFreePort()];
    const compose = createCompose({
      projectName: project,
      files: [path.join(REPO_ROOT, 'compose/docker-compose.yml'), path.join(REPO_ROOT, 'compose/docker-compose.mlflow.yml')],
      profiles: ['mlflow'],
      env: { RIGHTSIZE_PORT: String(port), RIGHTSIZE_STATS_PORT: String(statsPort), MLFLOW_PORT: String(mlflowPort), API_REPLICAS: '1' },
    });
    t.after(() => compose.down().catch(() => undefined));
    await compose.up({ wait: { timeoutMs: 240_000, oneShot: ['train'] } });

    const [train] = await compose.ps('train');
    assert.ok(train, 'the training job ran');
    assert.equal((await docker.health(train.id)).exitCode, 0);
    assert.match((await docker.logs(train.id)).stdout, /registered breast-cancer-gbt version 1 \(alias champion\)/);

    const alias = await fetch(`http://127.0.0.1:${mlflowPort}/api/2.0/mlflow/registered-models/alias?name=breast-cancer-gbt&alias=champion`);
    assert.equal(alias.status, 200);
    assert.equal(((await alias.json()) as { model_version: { version: string } }).model_version.version, '1');

    const lb = `http://127.0.0.1:${port}`;
    await waitForOk(`${lb}/health/ready`, 60_000);
    const golden = readGolden();
    const res = await predict(lb, golden.rows);
    assert.equal(res.status, 200);
    const body = res.json as { predictions: Prediction[]; model: { name: string; version: string | null } };
    assert.deepEqual(body.model, { name: 'breast-cancer-gbt', version: '1' });
    assert.deepEqual(goldenMismatches(golden, body.predictions), []);
    const [api] = await compose.ps('api');
    assert.match((await docker.inspect(api!.id)).Config.Image, /rightsize-api/);
  });
});
