// Docker tier: the server in a real container with --cpus 0.5 --memory 256m, on the Node 24 image
// the API image is built from. Checks what only a container can show: the cgroup limits as the
// kernel exposes them inside, thread and heap sizing from them on Node 24, serving, and a
// graceful stop as PID 1. The repository is mounted read-only at its own path and run through
// tsx, so the test needs no image build of its own.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createDocker } from '@rightsize/compose/docker';
import { createOwner, ownerLabels, registerCleanup, requireDocker } from '@rightsize/compose/testing';
import { readGolden } from '../helpers/golden.js';
import { getStatus } from '../helpers/http.js';
import { REPO } from '../helpers/paths.js';

const IMAGE = 'node:24-bookworm-slim';

it('sizes threads and heap from the container limits on Node 24, serves, and stops gracefully on docker stop', { timeout: 180_000 }, async (t) => {
  if (!(await requireDocker(t, { images: [IMAGE] }))) return;
  const docker = createDocker();
  const owner = createOwner('api-limits');
  registerCleanup(t, owner);
  const id = await docker.run({
    image: IMAGE,
    labels: ownerLabels(owner),
    cpus: 0.5,
    memory: '256m',
    volumes: [`${REPO}:${REPO}:ro`],
    workdir: REPO,
    env: { HOST: '0.0.0.0', PORT: '8000', LOG_LEVEL: 'info', WARMUP_RUNS: '5' },
    publish: [{ container: 8000 }],
    entrypoint: 'node',
    command: ['--import', 'tsx', 'inference-api/src/server.ts'],
    stopTimeoutSec: 15,
  });
  const url = `http://127.0.0.1:${await docker.hostPort(id, 8000)}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if ((await getStatus(`${url}/health/ready`)) === 200) break;
    const state = await docker.health(id);
    if (!state.running || Date.now() > deadline) assert.fail(`not ready: ${JSON.stringify(state)}\n${(await docker.logs(id, { tail: 50 })).stdout}`);
    await new Promise((r) => setTimeout(r, 500));
  }

  const info = (await (await fetch(`${url}/model`)).json()) as {
    runtime: { cpus: number; intraOpThreads: number; memoryLimitBytes: number; heapLimitMb: number; v8HeapSizeLimitBytes: number; node: string; cgroup: string };
  };
  assert.match(info.runtime.node, /^v24\./);
  assert.ok(['v1', 'v2'].includes(info.runtime.cgroup));
  assert.equal(info.runtime.cpus, 0.5);
  assert.equal(info.runtime.intraOpThreads, 1);
  assert.equal(info.runtime.memoryLimitBytes, 256 * 2 ** 20);
  assert.equal(info.runtime.heapLimitMb, 160);
  const heapMb = info.runtime.v8HeapSizeLimitBytes / 2 ** 20;
  assert.ok(heapMb >= 160 && heapMb < 240, `V8 heap limit ${heapMb} MiB`);

  const golden = readGolden();
  const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(golden.rows[0]) });
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { label: string }).label, golden.labels[0]);

  const stopped = Date.now();
  await docker.stop(id, 15);
  assert.ok(Date.now() - stopped < 10_000, 'stops within 10 s of SIGTERM');
  const state = await docker.health(id);
  assert.equal(state.exitCode, 0, (await docker.logs(id, { tail: 30 })).stdout);
  assert.equal(state.oomKilled, false);
});
