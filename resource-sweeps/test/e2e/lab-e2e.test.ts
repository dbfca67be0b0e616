/**
 * The queueing lab on the real engine: the API image in LAB_MODE=mmc driven by Poisson arrivals.
 * A lightly loaded M/M/2 (rho 0.3) settles within seconds, so the measured server-side mean
 * response time must sit near theory at the achieved rate; the container is gone afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDocker, OWNER_LABEL } from '@rightsize/compose/docker';
import { requireDocker } from '@rightsize/compose/testing';
import { createSweepOwner } from '../../src/adapters/stale-cleanup.js';
import { LabResultSchema } from '../../src/lab/lab-result.js';
import { runLab } from '../../src/lab/run-lab.js';

const docker = createDocker();

test('the lab measures an M/M/2 station close to Erlang C and removes its container', { timeout: 120_000 }, async (t) => {
  if (!(await requireDocker(t, { images: ['rightsize-api:latest'] }))) return;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rs-lab-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const owner = createSweepOwner();
  const { result, files } = await runLab({ docker, owner, image: 'rightsize-api:latest', lambda: 30, mu: 50, servers: 2, durationS: 20, dir, signal: new AbortController().signal, log: () => undefined });
  LabResultSchema.parse(JSON.parse(await readFile(files[0] as string, 'utf8')));
  assert.equal(result.measured.failed, 0);
  assert.ok(Math.abs(result.measured.achieved_lambda - 30) / 30 < 0.25, `lambda ${result.measured.achieved_lambda}`);
  const expected = result.theory_at_measured?.mean_response_ms;
  assert.ok(expected && result.measured.server_mean_response_ms, 'server counters were scraped');
  assert.ok(Math.abs(result.measured.server_mean_response_ms - expected) / expected < 0.2, `server W ${result.measured.server_mean_response_ms} ms vs ${expected} ms`);
  assert.ok(result.measured.utilisation !== null && Math.abs(result.measured.utilisation - (result.theory_at_measured?.rho ?? 0)) < 0.1);
  assert.match(await readFile(files[1] as string, 'utf8'), /M\/M\/2/);
  assert.equal((await docker.listContainers({ [OWNER_LABEL]: owner })).length, 0);
});
