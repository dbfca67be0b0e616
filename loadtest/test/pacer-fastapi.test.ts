/**
 * `--protocol fastapi` against the real server: the pacer in its container sends bare rows to
 * `POST /predict` of the workshop FastAPI server (the rightsize-fastapi image) at a low rate. The
 * summary validates, no request fails, every sampled response passes the fastapi contract (one
 * flat `{label, probability_<class>}` record), and uvicorn's access log counted what was sent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireDocker } from '@rightsize/compose/testing';
import { runLoad } from '../src/runner.js';
import { FASTAPI_IMAGE, PACER_IMAGE, startFastapi } from './helpers/api-container.js';
import { assertRunAddsUp, tempDir } from './helpers/run-checks.js';

// 20 then 40 req/s: well within one uvicorn worker on one core
const LOW = { startUsers: 20, maxUsers: 40, stepUsers: 20, rampS: 1, holdS: 3, thinkMinS: 0.5, thinkMaxS: 1.5 };

test('the pacer with --protocol fastapi against rightsize-fastapi: no errors, every sampled response in the contract', { timeout: 90_000 }, async (t) => {
  if (!(await requireDocker(t, { images: [FASTAPI_IMAGE, PACER_IMAGE] }))) return;
  const server = await startFastapi(t, 'load-pacer-fastapi');
  const before = await server.predictCount();
  const { summaryPath, summary } = await runLoad(
    {
      engine: 'pacer',
      scenario: 'arrival',
      target: server.serviceUrl,
      protocol: 'fastapi',
      schedule: LOW,
      checkEvery: 5,
      generator: { runtime: 'docker', cpus: 1, memory: '256m', network: server.network, networkOwner: server.owner },
      outDir: await tempDir(t),
    },
    { docker: server.docker },
  );
  await assertRunAddsUp(summaryPath, (await server.predictCount()) - before);
  assert.equal(summary.totals.errors.total, 0, JSON.stringify(summary.totals.errors));
  assert.equal(summary.aborted, false);
  assert.match(summary.target_url, /\/predict$/);
});
