/**
 * POST /swarm with the real load runner and real k6 (its container, host network) against a
 * small HTTP server on loopback: the load reaches the target, /stats/requests shows it in
 * Locust's fields, GET /stop ends it, the finished step's exact percentiles land in the
 * windows, and the generator container is gone afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDocker, OWNER_LABEL } from '@rightsize/compose/docker';
import { requireDocker } from '@rightsize/compose/testing';
import { createDockerWebPorts } from '../../src/adapters/docker-web-ports.js';
import { startWebServer } from '../../src/web/server.js';
import { parseWebOptions } from '../../src/web/web-options.js';
import { waitFor } from './support/web-kit.js';

const docker = createDocker();

test('an ad-hoc load runs real k6 against a loopback target until GET /stop', { timeout: 3 * 60_000 }, async (t) => {
  if (!(await requireDocker(t, { images: ['grafana/k6:1.8.1'] }))) return;
  let received = 0;
  const target = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"label":"benign","probability_benign":0.9,"probability_malignant":0.1,"model":{"name":"stand-in","version":null}}');
    });
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => target.close(() => resolve())));
  const targetUrl = `http://127.0.0.1:${(target.address() as { port: number }).port}`;

  const reports = await mkdtemp(path.join(os.tmpdir(), 'rs-web-adhoc-load-'));
  t.after(() => rm(reports, { recursive: true, force: true }));
  const options = parseWebOptions({ reportsRoot: reports, port: 0, statsUrl: 'http://127.0.0.1:9/stats;csv' });
  const server = await startWebServer({ options, ports: { ...createDockerWebPorts({ options, docker }), factory: null }, log: (m) => t.diagnostic(m) });
  t.after(() => server.close());

  const res = await fetch(`${server.url}/swarm`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `user_count=8&spawn_rate=8&run_time=40s&host=${encodeURIComponent(targetUrl)}` });
  assert.equal(res.status, 200, await res.clone().text());
  const started = (await res.json()) as { success: boolean; run_id: string };
  assert.equal(started.success, true);
  const owner = `rs-load-${started.run_id}`.toLowerCase();
  t.after(async () => {
    const left = await docker.listContainers({ [OWNER_LABEL]: owner });
    await docker.rm(left.map((c) => c.id));
  });

  type Stats = { state: string; user_count: number; current_rps: number; stats: { name: string; num_requests: number }[]; windows: Record<string, { latency: { p95_ms: { upper: number } } | null; requests: number }> };
  const stats = async () => (await (await fetch(`${server.url}/stats/requests`)).json()) as Stats;
  const running = await waitFor('requests counted while running', async () => {
    const s = await stats();
    return s.state === 'running' && s.stats[0]?.name === '/predict' && (s.stats[0]?.num_requests ?? 0) > 10 ? s : null;
  }, 60_000);
  assert.equal(running.user_count, 8);
  assert.ok(received > 10, `the target saw ${received} requests`);

  const stop = await fetch(`${server.url}/stop`);
  assert.equal(((await stop.json()) as { stopped: string }).stopped, 'swarm');
  await server.session.adhocLoad.settled();
  const after = await stats();
  assert.equal(after.state, 'stopped');
  assert.ok((after.windows['1m']?.requests ?? 0) > 10);
  assert.ok((after.windows['1h']?.latency?.p95_ms.upper ?? -1) >= 0, 'the stopped step brought its exact percentiles');
  assert.deepEqual(await docker.listContainers({ [OWNER_LABEL]: owner }), [], 'the generator container is gone');
});
