/**
 * The HTTP API on the real engine: a sweep started with POST /api/sweep brings up the compose
 * stack and k6; GET /api/balancer reads that trial's real HAProxy; POST /api/sweep/stop tears
 * the trial down, and afterwards nothing labelled with the sweep's owner is left in Docker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDocker } from '@rightsize/compose/docker';
import { requireDocker } from '@rightsize/compose/testing';
import { removeSweepOwner } from '../../src/adapters/stale-cleanup.js';
import { createDockerWebPorts } from '../../src/adapters/docker-web-ports.js';
import { startWebServer } from '../../src/web/server.js';
import { parseWebOptions } from '../../src/web/web-options.js';
import { leftovers } from '../support/leftovers.js';
import { waitFor } from './support/web-kit.js';

const IMAGES = ['rightsize-api:latest', 'haproxy:2.6', 'grafana/k6:1.8.1'];
const docker = createDocker();

/** a long ladder: the trial is still under load when the test stops it */
const PLAN = {
  name: 'web-stop',
  load: { scenario: 'steps', users: { from: 10, to: 100, step: 10 }, ramp: '1s', hold: '5s', think_time: { min: '0.5s', max: '1s' }, generator: { cpus: 0.5, memory: '1g' } },
  candidates: { replicas: [2], cpus: [0.5], memory: ['384m'] },
  trial: { healthy_timeout: '120s', warmup: { duration: '1s', users: 2 } },
};

test('stopping a sweep over HTTP tears its trial down and leaves no container behind', { timeout: 5 * 60_000 }, async (t) => {
  if (!(await requireDocker(t, { images: IMAGES }))) return;
  const reports = await mkdtemp(path.join(os.tmpdir(), 'rs-web-docker-'));
  t.after(() => rm(reports, { recursive: true, force: true }));
  const options = parseWebOptions({ reportsRoot: reports, port: 0, statsUrl: 'http://127.0.0.1:9/stats;csv' });
  const server = await startWebServer({ options, ports: createDockerWebPorts({ options, docker }), log: (m) => t.diagnostic(m) });
  t.after(() => server.close());
  const api = (p: string, init?: RequestInit) => fetch(`${server.url}${p}`, init);

  const started = await api('/api/sweep', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ plan: PLAN, run_id: 'stop-over-http' }) });
  assert.equal(started.status, 202, await started.clone().text());
  const owner = server.session.sweep.owner();
  assert.ok(owner);
  t.after(() => removeSweepOwner(docker, owner)); // only if the assertion below fails

  await waitFor('the trial under load', async () => ((await (await api('/api/sweep')).json()) as { sweep: { current: { phase: string } | null } }).sweep.current?.phase === 'load', 180_000);
  await waitFor('users running', async () => ((await (await api('/stats/requests')).json()) as { user_count: number }).user_count > 0, 30_000);
  assert.ok((await leftovers(owner)).length >= 4, 'api replicas, balancer, generator and network are up');

  const balancer = await api('/api/balancer');
  assert.equal(balancer.status, 200);
  const view = (await balancer.json()) as { up: number; servers: { status: string; address: string | null }[]; backend: { requests_total: number } };
  assert.equal(view.up, 2, 'both replicas UP behind the real HAProxy');
  assert.ok(view.servers.every((s) => s.address !== null));
  assert.ok(view.backend.requests_total > 0);

  const stop = await api('/api/sweep/stop', { method: 'POST' });
  assert.equal(stop.status, 202);
  await server.session.sweep.settled();
  const status = (await (await api('/api/sweep')).json()) as { sweep: { phase: string } };
  assert.equal(status.sweep.phase, 'stopped');
  assert.deepEqual(await leftovers(owner), [], 'nothing of the sweep is left in Docker');
  const results = await readFile(path.join(reports, 'stop-over-http', 'results.jsonl'), 'utf8').catch(() => '');
  assert.equal(results, '', 'the interrupted trial is not recorded as finished');
  assert.match(await readFile(path.join(reports, 'stop-over-http', 'report.md'), 'utf8'), /INCOMPLETE|did not finish/);
  const stopped = (await (await api('/api/balancer')).json()) as { code: string };
  assert.equal(stopped.code, 'SWEEP_ERR_NO_BALANCER', 'no balancer once the stack is gone');
});
