// Docker tier: rightsize-fastapi (the FastAPI + uvicorn server an ML workshop writes around the
// model) as a sweep runs it — read-only root with a tmpfs /tmp, memory limited — gets healthy on
// /health, answers POST /predict with one flat record that matches the golden label, refuses a row
// missing a feature with FastAPI's 422 naming it, refuses a bad PORT with exit 64, carries what an
// image should (non-root, HEALTHCHECK, OCI labels) and stops promptly on SIGTERM.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createDocker } from '../src/docker.js';
import { REPO_ROOT } from '../src/images/repo-info.js';
import { createOwner, ownerLabels, registerCleanup, requireDocker } from '../src/testing.js';
import { predict, readGolden } from './helpers/golden.js';
import { FASTAPI_IMAGE } from './helpers/image-names.js';

const docker = createDocker();

const payloads = JSON.parse(readFileSync(path.join(REPO_ROOT, 'loadtest/data/payloads.json'), 'utf8')) as { rows: Record<string, number>[] };

describe('rightsize-fastapi image', () => {
  it('read-only with a tmpfs /tmp and 384m: healthy, /predict equal to the golden labels, 422 naming a missing feature, prompt stop', { timeout: 120_000 }, async (t) => {
    if (!(await requireDocker(t, { images: [FASTAPI_IMAGE] }))) return;
    const owner = createOwner('fastapi');
    registerCleanup(t, owner);
    const id = await docker.run({ image: FASTAPI_IMAGE, labels: ownerLabels(owner), readOnly: true, tmpfs: ['/tmp'], publish: [{ container: 8000 }], cpus: 1, memory: '384m' });
    await docker.waitHealthy(id, { timeoutMs: 60_000 });
    const url = `http://127.0.0.1:${await docker.hostPort(id, 8000)}`;
    const health = await fetch(`${url}/health`);
    assert.deepEqual([health.status, await health.json()], [200, { status: 'ok' }]);

    const golden = readGolden();
    for (const i of [0, 1, 2]) {
      const { status, json } = await predict(url, payloads.rows[i]);
      assert.equal(status, 200, JSON.stringify(json));
      const out = json as { label: string; probability_benign: number; probability_malignant: number };
      assert.deepEqual(Object.keys(out).sort(), ['label', 'probability_benign', 'probability_malignant']);
      assert.equal(out.label, golden.labels[i], `row ${i}`);
      assert.ok(Math.abs(out.probability_benign + out.probability_malignant - 1) < 1e-6, `row ${i}: probabilities sum to 1`);
    }

    const { 'mean radius': _, ...missing } = payloads.rows[0]!;
    const bad = await predict(url, missing);
    assert.equal(bad.status, 422);
    const detail = (bad.json as { detail: { type: string; loc: string[] }[] }).detail;
    assert.ok(detail.some((d) => d.type === 'missing' && d.loc.includes('mean radius')), JSON.stringify(detail));

    const inspect = await docker.inspect(id);
    assert.equal((inspect.HostConfig as { ReadonlyRootfs?: boolean }).ReadonlyRootfs, true);
    assert.equal((await docker.execIn(id, ['id', '-u'])).stdout.trim(), '1000');

    // uvicorn is PID 1 and handles SIGTERM itself: docker stop returns long before its 10 s grace period
    const t0 = Date.now();
    await docker.stop(id, 10);
    assert.ok(Date.now() - t0 < 5_000, `docker stop took ${Date.now() - t0} ms`);
  });

  it('is non-root, health-checked on /health, labelled, and refuses a bad PORT with exit 64', async (t) => {
    if (!(await requireDocker(t, { images: [FASTAPI_IMAGE] }))) return;
    const image = (await docker.imageInspect(FASTAPI_IMAGE))!;
    const config = image.Config as { User?: string; Env?: string[]; Healthcheck?: { Test?: string[] }; Labels?: Record<string, string> };
    assert.equal(config.User, '1000:1000');
    assert.ok(config.Healthcheck?.Test?.join(' ').includes('GET /health '), 'HEALTHCHECK on /health');
    for (const env of ['ORT_DISABLE_TELEMETRY=1', 'MLFLOW_DISABLE_TELEMETRY=true', 'HOME=/tmp', 'MODEL_PATH=/model']) assert.ok(config.Env?.includes(env), env);
    for (const key of ['version', 'revision', 'source']) assert.ok(config.Labels?.[`org.opencontainers.image.${key}`], `label org.opencontainers.image.${key}`);

    const owner = createOwner('fastapi-config');
    registerCleanup(t, owner);
    const id = await docker.run({ image: FASTAPI_IMAGE, labels: ownerLabels(owner), env: { PORT: 'eighty' } });
    assert.equal(await docker.wait(id, 20_000), 64);
    assert.match((await docker.logs(id)).stderr, /PORT=eighty: expected a port number/);
  });
});
