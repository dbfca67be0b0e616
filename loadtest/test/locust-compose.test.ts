/**
 * The Locust compose file (master with its web UI + workers) next to the API, as a user runs it:
 * up with two workers, start the shape through the web UI's API, stop the master, convert its
 * raw result. Real compose, real Locust, the real API in its container.
 */
import assert from 'node:assert/strict';
import { chmod } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { test } from 'node:test';
import { createCompose } from '@rightsize/compose/compose';
import { getFreePort, requireDocker } from '@rightsize/compose/testing';
import { LOCUST_DIR } from '../src/paths.js';
import { convertRaw } from '../src/runner.js';
import { API_IMAGE, LOCUST_IMAGE, startApi } from './helpers/api-container.js';
import { assertRunAddsUp, tempDir } from './helpers/run-checks.js';

test('Locust from its compose file, a master and two workers driven through the web UI, converts into a summary that adds up', async (t) => {
  if (!(await requireDocker(t, { images: [API_IMAGE, LOCUST_IMAGE] }))) return;
  const api = await startApi(t, 'load-locust-compose');
  const out = await tempDir(t);
  await chmod(out, 0o777);
  const port = await getFreePort();
  const compose = createCompose({
    projectName: api.owner,
    files: [path.join(LOCUST_DIR, 'docker-compose.locust.yml')],
    owner: api.owner,
    docker: api.docker,
    env: {
      RIGHTSIZE_NETWORK: api.network,
      RIGHTSIZE_OWNER: api.owner,
      RIGHTSIZE_LOCUST_OUT: out,
      RIGHTSIZE_UID: String(process.getuid?.() ?? 1000),
      RIGHTSIZE_GID: String(process.getgid?.() ?? 1000),
      LOCUST_WEB_PORT: String(port),
      TARGET: api.serviceUrl,
      RS_START: '5',
      RS_MAX: '10',
      RS_STEP: '5',
      RS_RAMP: '1',
      RS_HOLD: '3',
      RS_THINK_MIN: '0.2',
      RS_THINK_MAX: '0.5',
    },
  });
  t.after(() => compose.down().catch(() => undefined));
  await compose.up({ scale: { worker: 2 }, wait: { timeoutMs: 60_000 } });
  const ui = `http://127.0.0.1:${port}`;
  await until(async () => ((await http(`${ui}/worker-count`)) as { worker_count: number }).worker_count === 2, 'two workers connected');
  const before = await api.predictCount();
  const started = (await http(`${ui}/swarm`, 'user_count=1&spawn_rate=1')) as { success: boolean; message: string };
  assert.equal(started.success, true);
  assert.match(started.message, /StepShape/);
  await until(async () => ((await http(`${ui}/stats/requests`)) as { state: string }).state === 'stopped', 'the shape ran to its end', 40_000);
  // The UI says "stopped" before the workers' last stats reports reach the master (they come every
  // 3 s): a master stopped at once writes a summary short of them. Wait until the total settles.
  const total = async () => ((await http(`${ui}/stats/requests`)) as { stats: { name: string; num_requests: number }[] }).stats.find((s) => s.name === 'Aggregated')?.num_requests ?? 0;
  for (let last = await total(), still = 0, deadline = Date.now() + 30_000; still < 4; ) {
    assert.ok(Date.now() < deadline, 'the workers\' last stats reached the master');
    await new Promise((r) => setTimeout(r, 1000));
    const now = await total();
    still = now === last ? still + 1 : 0;
    last = now;
  }
  await compose.run(['stop', 'master']);
  const { summaryPath, summary } = await convertRaw(path.join(out, 'raw.json'));
  await assertRunAddsUp(summaryPath, (await api.predictCount()) - before, { checks: false });
  assert.equal(summary.engine, 'locust');
  assert.equal(summary.steps.length, 2);
});

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * One request on a fresh connection. (fetch reusing a keep-alive socket that Locust's web server
 * had closed left a promise pending with nothing keeping the event loop alive.)
 */
function http(url: string, form?: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: form ? 'POST' : 'GET', agent: false, timeout: 5000, headers: form ? { 'content-type': 'application/x-www-form-urlencoded' } : {} }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(form);
  });
}
