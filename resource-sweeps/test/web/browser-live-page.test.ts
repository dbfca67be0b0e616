/**
 * A real browser (Debian's Chromium, driven by playwright-core; no browser download) opens the
 * live page while a small sweep runs on the real engine (compose stack, HAProxy, k6): it must
 * see the live numbers change and the pass/fail map fill in, and find the report link.
 * Screenshots go to test-artifacts/ at the repository root (gitignored); their paths are printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { createDocker } from '@rightsize/compose/docker';
import { requireDocker } from '@rightsize/compose/testing';
import { removeSweepOwner } from '../../src/adapters/stale-cleanup.js';
import { createDockerWebPorts } from '../../src/adapters/docker-web-ports.js';
import { startWebServer } from '../../src/web/server.js';
import { parseWebOptions } from '../../src/web/web-options.js';
import { leftovers } from '../support/leftovers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test-artifacts');
const IMAGES = ['rightsize-api:latest', 'haproxy:2.6', 'grafana/k6:1.8.1'];
const docker = createDocker();

/** one replica count, two CPU limits: one or two trials, three short steps of tens of users */
const PLAN = {
  name: 'web-browser',
  load: { scenario: 'steps', users: { from: 10, to: 30, step: 10 }, ramp: '1s', hold: '4s', think_time: { min: '0.5s', max: '1s' }, generator: { cpus: 0.5, memory: '1g' } },
  candidates: { replicas: [1], cpus: [0.25, 1], memory: ['384m'] },
  trial: { healthy_timeout: '120s', warmup: { duration: '1s', users: 2 } },
};

async function until(page: Page, what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(250);
  }
}

test('the live page shows a running sweep: numbers change, the map fills in, the report is linked', { timeout: 5 * 60_000 }, async (t) => {
  if (!(await requireDocker(t, { images: IMAGES }))) return;
  if (!existsSync(CHROMIUM)) assert.fail(`${CHROMIUM} is missing: apt-get install chromium (CI installs it)`);
  const reports = await mkdtemp(path.join(os.tmpdir(), 'rs-web-browser-'));
  t.after(() => rm(reports, { recursive: true, force: true }));
  const profile = await mkdtemp(path.join(os.tmpdir(), 'rs-chromium-'));
  t.after(() => rm(profile, { recursive: true, force: true }));
  await mkdir(ARTIFACTS, { recursive: true });

  const options = parseWebOptions({ reportsRoot: reports, port: 0, statsUrl: 'http://127.0.0.1:9/stats;csv' });
  const server = await startWebServer({ options, ports: createDockerWebPorts({ options, docker }), log: (m) => t.diagnostic(m) });
  t.after(() => server.close());
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.after(() => browser.close());
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/`);
  await until(page, 'the event stream', async () => (await page.textContent('#conn')) === 'live', 10_000);

  const started = await fetch(`${server.url}/api/sweep`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ plan: PLAN }) });
  assert.equal(started.status, 202, await started.clone().text());
  const owner = server.session.sweep.owner();
  assert.ok(owner);
  t.after(() => removeSweepOwner(docker, owner));

  // the map appears with every cell unknown, then fills in
  await until(page, 'the pass/fail map', async () => (await page.locator('rect[data-config]').count()) === 2, 20_000);
  assert.equal(await page.locator('rect[data-status="unknown"]').count(), 2);

  // live numbers while the load runs: users step up, req/s moves
  const users = new Set<string>();
  const rps = new Set<string>();
  let shot: string | null = null;
  await until(
    page,
    'the live numbers to change',
    async () => {
      const u = (await page.textContent('#now-users')) ?? '-';
      const r = (await page.textContent('#now-rps')) ?? '-';
      if (u !== '-') users.add(u);
      if (r !== '-') rps.add(r);
      if (users.size < 3 || rps.size < 3) return false;
      shot = path.join(ARTIFACTS, 'web-live-page-running.png');
      await page.screenshot({ path: shot, fullPage: true });
      return true;
    },
    180_000,
  );
  assert.ok(await page.locator('#chart-rps circle, #chart-rps polyline').count(), 'the throughput chart has points');
  assert.ok(await page.locator('#chart-cpu polyline, #chart-cpu circle').count(), 'the CPU chart has the replica');

  await until(page, 'the sweep to end', async () => (await page.textContent('#state')) === 'stopped', 180_000);
  await until(page, 'the map filled in', async () => (await page.locator('rect[data-status="unknown"]').count()) === 0, 10_000);
  assert.ok((await page.locator('rect[data-measured="true"]').count()) >= 1, 'at least one measured cell');
  assert.ok((await page.locator('#trials tbody tr').count()) >= 1, 'the trials table lists the trial');
  const href = await page.getAttribute('#report-link', 'href');
  assert.ok(href, 'the report is linked');
  const report = await fetch(`${server.url}${href}`);
  assert.equal(report.status, 200);
  const done = path.join(ARTIFACTS, 'web-live-page-done.png');
  await page.screenshot({ path: done, fullPage: true });
  process.stderr.write(`\nscreenshots: ${shot}\n             ${done}\n`);
  t.diagnostic(`screenshots: ${shot} ${done}`);
  assert.deepEqual(errors, [], 'no script errors on the page');
  await server.session.sweep.settled();
  assert.deepEqual(await leftovers(owner), [], 'the sweep left nothing in Docker');
});
