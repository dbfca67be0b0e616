/**
 * `--protocol mlflow` against real servers: real k6 in its container sends MLflow's
 * `{"dataframe_records": [row]}` to `POST /invocations` of `mlflow models serve` (the
 * rightsize-mlflow-serve image) and of our API, at small scale. The summary validates, no request
 * fails, the sampled responses pass the MLflow contract check, and the server counted what k6 sent.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { requireDocker } from '@rightsize/compose/testing';
import { runLoad } from '../src/runner.js';
import { API_IMAGE, K6_IMAGE, MLFLOW_SERVE_IMAGE, startApi, startMlflowServe, type ApiUnderTest } from './helpers/api-container.js';
import { assertRunAddsUp, tempDir } from './helpers/run-checks.js';

// ~40-60 req/s: within what one mlflow uvicorn worker serves on one core (~100 req/s here)
const SMALL = { startUsers: 10, maxUsers: 20, stepUsers: 10, rampS: 1, holdS: 3, thinkMinS: 0.2, thinkMaxS: 0.5 };

async function loadOverMlflowProtocol(api: ApiUnderTest, outDir: string) {
  const before = await api.predictCount();
  const { summaryPath, summary } = await runLoad(
    {
      target: api.serviceUrl,
      protocol: 'mlflow',
      schedule: SMALL,
      checkEvery: 5,
      generator: { runtime: 'docker', cpus: 1, memory: '512m', network: api.network, networkOwner: api.owner },
      outDir,
    },
    { docker: api.docker },
  );
  await assertRunAddsUp(summaryPath, (await api.predictCount()) - before);
  assert.equal(summary.totals.errors.total, 0, JSON.stringify(summary.totals.errors));
  assert.equal(summary.aborted, false);
  assert.match(summary.target_url, /\/invocations$/);
  return summary;
}

describe('k6 with --protocol mlflow', () => {
  test('against mlflow models serve: no errors, every sampled response in MLflow\'s contract', { timeout: 120_000 }, async (t) => {
    if (!(await requireDocker(t, { images: [MLFLOW_SERVE_IMAGE, K6_IMAGE] }))) return;
    const server = await startMlflowServe(t, 'load-k6-mlflow');
    await loadOverMlflowProtocol(server, await tempDir(t));
  });

  test('against our API\'s /invocations: the same load and checks pass', { timeout: 120_000 }, async (t) => {
    if (!(await requireDocker(t, { images: [API_IMAGE, K6_IMAGE] }))) return;
    const api = await startApi(t, 'load-k6-invocations', { route: '/invocations' });
    await loadOverMlflowProtocol(api, await tempDir(t));
  });
});
