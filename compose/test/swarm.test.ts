// Docker tier: the same compose file deploys unchanged on Docker Swarm (`docker stack deploy`),
// the path to more than one host. On a single-node swarm: both services converge, the balancer
// discovers the 2 API tasks through Swarm's DNS (endpoint_mode dnsrr) and answers predictions
// to a client on the stack's network. The test enters swarm mode only if the engine is not in it already,
// and then leaves it again.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createDocker, OWNER_LABEL } from '../src/docker.js';
import { REPO_ROOT } from '../src/images/repo-info.js';
import { cleanupByLabel, createOwner, getFreePort, requireDocker } from '../src/testing.js';
import { readGolden } from './helpers/golden.js';
import { API_IMAGE, LB_IMAGE, NODE_IMAGE } from './helpers/image-names.js';

const STACK_LABEL = 'com.docker.stack.namespace';

describe('docker stack deploy', () => {
  it('runs the compose stack on a single-node swarm', { timeout: 300_000 }, async (t) => {
    if (!(await requireDocker(t, { images: [API_IMAGE, LB_IMAGE, NODE_IMAGE] }))) return;
    const stack = createOwner('swarm');
    const [port, statsPort] = [await getFreePort(), await getFreePort()];
    const env = { RIGHTSIZE_OWNER: stack, API_REPLICAS: '2', API_CPUS: '0.5', API_MEMORY: '256M', RIGHTSIZE_PORT: String(port), RIGHTSIZE_STATS_PORT: String(statsPort) };
    const docker = createDocker({ env });

    const entered = !(await docker.swarmState()).active;
    if (entered) await docker.swarmInit();
    else t.diagnostic('engine already in swarm mode: using it, and leaving it on');
    // One teardown, in order: the stack, what it left, then swarm mode if this test entered it.
    t.after(async () => {
      await docker.stackRm(stack).catch(() => undefined);
      // Tasks' containers and the stack network go away asynchronously.
      for (let i = 0; i < 60; i++) {
        const left = (await docker.listContainers({ [STACK_LABEL]: stack })).length + (await docker.listNetworks({ [STACK_LABEL]: stack })).length;
        if (left === 0) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      await cleanupByLabel(stack);
      if (entered) {
        await docker.swarmLeave();
        // Created by `swarm init` above; leaving swarm mode does not remove it.
        await docker.networkRm('docker_gwbridge');
      }
    });

    const { stderr } = await docker.stackDeploy({ stack, files: [path.join(REPO_ROOT, 'compose/docker-compose.yml')], resolveImage: 'never', timeoutMs: 120_000 });
    t.diagnostic(stderr.trim());
    const deadline = Date.now() + 180_000;
    for (;;) {
      const services = Object.fromEntries((await docker.listServices({ [STACK_LABEL]: stack })).map((s) => [s.name, `${s.running}/${s.desired}`]));
      if (services[`${stack}_api`] === '2/2' && services[`${stack}_lb`] === '1/1') break;
      assert.ok(Date.now() < deadline, `services did not converge: ${JSON.stringify(services)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }

    // Checked from a container on the stack's own (attachable) overlay network, as the load
    // generators reach it, at `tasks.lb` (the task itself): Swarm's virtual IPs and the routing
    // mesh behind published ports need IPVS, which not every kernel has (this machine's does
    // not). The published port is tried too, and reported.
    const network = `${stack}_default`;
    const probe = [
      'const sleep = (ms) => new Promise((r) => setTimeout(r, ms));',
      'const golden = JSON.parse(require("fs").readFileSync("/golden.json", "utf8"));',
      '(async () => {',
      '  let up = 0;',
      '  for (let i = 0; i < 120 && up < 2; i++) {',
      '    const csv = await fetch("http://tasks.lb:8404/stats;csv", { signal: AbortSignal.timeout(2000) }).then((r) => r.text(), () => "");',
      '    up = csv.split("\\n").filter((l) => l.startsWith("api,api") && l.split(",")[17] === "UP").length;',
      '    if (up < 2) await sleep(500);',
      '  }',
      '  const labels = [];',
      '  for (let i = 0; i < 20; i++) {',
      '    const res = await fetch("http://tasks.lb:8080/predict", { signal: AbortSignal.timeout(5000), method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(golden.rows[i]) });',
      '    labels.push(res.status === 200 ? (await res.json()).label : `HTTP ${res.status}`);',
      '  }',
      '  console.log(JSON.stringify({ up, labels }));',
      '})();',
    ].join('\n');
    const clientId = await docker.run({
      image: NODE_IMAGE,
      labels: { [OWNER_LABEL]: stack },
      network,
      volumes: [`${path.join(REPO_ROOT, 'model/golden/breast-cancer-gbt.json')}:/golden.json:ro`],
      command: ['node', '-e', probe],
    });
    const client = await docker
      .wait(clientId, 120_000)
      .then(() => docker.logs(clientId))
      .finally(() => docker.rm(clientId));
    const seen = JSON.parse(client.stdout.trim().split('\n').pop()!) as { up: number; labels: string[] };
    const golden = readGolden();
    assert.equal(seen.up, 2, 'the balancer discovered both API tasks through Swarm DNS');
    assert.deepEqual(seen.labels, golden.labels.slice(0, 20));
    const mesh = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(3000) }).then((r) => `HTTP ${r.status}`, (e: Error) => e.message);
    t.diagnostic(`published port ${port} through the routing mesh: ${mesh}`);

    const tasks = await docker.listContainers({ [STACK_LABEL]: stack, 'com.docker.swarm.service.name': `${stack}_api` }, { all: false });
    assert.equal(tasks.length, 2);
    for (const task of tasks) {
      assert.equal(task.labels[OWNER_LABEL], stack, 'task containers carry the owner label');
      const i = await docker.inspect(task.id);
      assert.equal(i.HostConfig.NanoCpus, 0.5e9, 'API_CPUS applied by Swarm');
      assert.equal(i.HostConfig.Memory, 256 * 2 ** 20, 'API_MEMORY applied by Swarm');
    }
  });
});
