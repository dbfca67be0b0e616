// Docker tier: the compose stack as users start it — 3 API replicas behind HAProxy with DNS
// discovery — through the Compose CLI found on this machine (v2 plugin or v1). Requests through
// the balancer reach every replica (its stats say so), a replica killed under load is routed
// around, k6 from the separate loadtest file runs against the balancer and writes its results
// to a host folder, and `down` leaves no container, network or volume behind.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { createCompose, listComposeClis, PROJECT_LABEL, type ComposeCli } from '../src/compose.js';
import { createDocker, OWNER_LABEL } from '../src/docker.js';
import { REPO_ROOT } from '../src/images/repo-info.js';
import { createOwner, getFreePort, registerCleanup, requireDocker } from '../src/testing.js';
import { readGolden, waitForOk } from './helpers/golden.js';
import { apiServers, readStats } from './helpers/haproxy-stats.js';
import { API_IMAGE, K6_IMAGE, LB_IMAGE } from './helpers/image-names.js';
import { runLoad } from './helpers/load.js';

const docker = createDocker();
const STACK = path.join(REPO_ROOT, 'compose/docker-compose.yml');
const LOADTEST = path.join(REPO_ROOT, 'compose/docker-compose.loadtest.yml');

describe('compose stack', () => {
  it('runs with every Compose CLI on this machine (v2 plugin, v1, RIGHTSIZE_COMPOSE_V2_BIN)', { timeout: 600_000 }, async (t) => {
    if (!(await requireDocker(t, { images: [API_IMAGE, LB_IMAGE, K6_IMAGE] }))) return;
    const clis = await listComposeClis();
    assert.ok(clis.length > 0, 'a Compose CLI is installed (docker compose or docker-compose)');
    for (const cli of clis) {
      await t.test(`${cli.flavor} ${cli.version} (${[cli.file, ...cli.prefix].join(' ')}): serves through the balancer from 3 replicas, survives losing one, runs k6, and cleans up`, (st) => stackScenario(st, cli));
    }
  });
});

async function stackScenario(t: TestContext, cli: ComposeCli): Promise<void> {
  const project = createOwner(`stack-${cli.flavor}`);
  registerCleanup(t, project);
  const results = await mkdtemp(path.join(tmpdir(), 'rs-k6-results-'));
  t.after(() => rm(results, { recursive: true, force: true }));
  const [port, statsPort] = [await getFreePort(), await getFreePort()];
  const compose = createCompose({
    cli,
    projectName: project,
    files: [STACK, LOADTEST],
    env: { API_REPLICAS: '3', API_CPUS: '0.5', API_MEMORY: '256M', RIGHTSIZE_PORT: String(port), RIGHTSIZE_STATS_PORT: String(statsPort), LOADTEST_RESULTS: results, LOADTEST_DURATION: '5s' },
  });
  t.after(() => compose.down().catch(() => undefined));
  const lb = `http://127.0.0.1:${port}`;
  const stats = `http://127.0.0.1:${statsPort}/stats;csv`;

  await compose.up({ services: ['api', 'lb'], wait: { timeoutMs: 120_000 } });
  const replicas = await compose.ps('api');
  assert.equal(replicas.length, 3);
  for (const r of replicas) {
    const i = await docker.inspect(r.id);
    assert.equal(i.HostConfig.NanoCpus, 0.5e9, 'API_CPUS applied');
    assert.equal(i.HostConfig.Memory, 256 * 2 ** 20, 'API_MEMORY applied');
    assert.equal(i.Config.Labels?.[OWNER_LABEL], project);
  }
  await waitForOk(`${lb}/health/ready`, 30_000);
  const deadline = Date.now() + 30_000;
  while (apiServers(await readStats(stats)).filter((s) => s.status === 'UP').length < 3) {
    assert.ok(Date.now() < deadline, 'HAProxy lists 3 replicas UP');
    await new Promise((r) => setTimeout(r, 500));
  }

  await t.test('requests through the balancer reach all 3 replicas', async () => {
    const bodies = readGolden().rows.map((r) => JSON.stringify(r));
    const load = await runLoad({ url: `${lb}/predict`, bodies, concurrency: 8, durationMs: 3000 });
    assert.equal(load.failed, 0, JSON.stringify(load.errors));
    const servers = apiServers(await readStats(stats));
    const served = servers.map((s) => Number(s.hrsp_2xx));
    t.diagnostic(`2xx per replica: ${servers.map((s) => `${s.svname}=${s.hrsp_2xx} (${s.status})`).join(', ')}`);
    assert.equal(servers.length, 3);
    for (const n of served) assert.ok(n > load.ok / 10, `every replica served a share (${served.join(', ')})`);
    assert.ok(served.reduce((a, b) => a + b, 0) >= load.ok, 'the stats count every request');
  });

  await t.test('a replica killed mid-load is routed around', async () => {
    const bodies = readGolden().rows.map((r) => JSON.stringify(r));
    const victim = replicas[1]!;
    const killer = new Promise<void>((resolve, reject) => setTimeout(() => docker.kill(victim.id).then(resolve, reject), 1500));
    const load = await runLoad({ url: `${lb}/predict`, bodies, concurrency: 8, durationMs: 6000, quietAfterMs: 3500 });
    await killer;
    t.diagnostic(`ok ${load.ok}, failed ${load.failed} ${JSON.stringify(load.errors)}; after the kill settled: ok ${load.okAfter}, failed ${load.failedAfter}`);
    assert.ok(load.failed <= load.ok * 0.01, 'at most 1% of requests fail while the replica dies');
    assert.equal(load.failedAfter, 0, 'no failures once the balancer noticed');
    assert.ok(load.okAfter > 0);
    const servers = apiServers(await readStats(stats));
    assert.equal(servers.filter((s) => s.status === 'UP').length, 2, servers.map((s) => `${s.svname}:${s.status}`).join(', '));
  });

  await t.test('k6 from docker-compose.loadtest.yml runs against the balancer and writes its results', async () => {
    await compose.run(['run', '--rm', 'k6'], 120_000);
    const summary = JSON.parse(await readFile(path.join(results, 'smoke-summary.json'), 'utf8')) as {
      metrics: Record<string, { values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }>;
    };
    assert.ok(summary.metrics.http_reqs!.values.count! > 10);
    assert.equal(summary.metrics.http_req_failed!.values.rate, 0);
    assert.ok(Object.values(summary.metrics.checks!.thresholds ?? {}).every((th) => th.ok));
  });

  await t.test('down removes every container, network and volume of the project', async () => {
    await compose.down();
    const selectors: Array<Record<string, string>> = [{ [PROJECT_LABEL]: project }, { [OWNER_LABEL]: project }];
    for (const labels of selectors) {
      assert.deepEqual(await docker.listContainers(labels), []);
      assert.deepEqual(await docker.listNetworks(labels), []);
      assert.deepEqual(await docker.listVolumes(labels), []);
    }
  });
}
