// Docker tier: the docker adapter against a real engine — limits applied, stats one-shot and
// streamed (CPU in percent of one core, memory limit in bytes), logs, listing and clean-up by
// the owner label.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDocker, OWNER_LABEL, type StatsSample } from '../src/docker.js';
import { cleanupByLabel, createOwner, ownerLabels, requireDocker } from '../src/testing.js';
import { DEBIAN_IMAGE } from './helpers/image-names.js';

const docker = createDocker();

describe('docker adapter', () => {
  it('runs a limited container, samples its stats, and cleans up by label', { timeout: 90_000 }, async (t) => {
    if (!(await requireDocker(t, { images: [DEBIAN_IMAGE] }))) return;
    const owner = createOwner('docker-adapter');
    t.after(async () => {
      await cleanupByLabel(owner);
    });
    await docker.networkCreate({ name: owner, labels: ownerLabels(owner) });
    // A busy loop capped at half a core, and a line on stdout for logs().
    const id = await docker.run({ image: DEBIAN_IMAGE, labels: ownerLabels(owner), network: owner, cpus: 0.5, memory: '64m', readOnly: true, command: ['sh', '-c', 'echo started; while :; do :; done'] });
    assert.equal((await docker.health(id)).health, 'none');
    await docker.waitHealthy(id, { timeoutMs: 10_000 });

    const [one] = await docker.stats(id);
    assert.equal(one?.memLimitBytes, 64 * 2 ** 20);

    const samples: StatsSample[] = [];
    const errors: unknown[] = [];
    const stream = docker.statsStream(id, (s) => samples.push(s), (e) => errors.push(e));
    await new Promise((r) => setTimeout(r, 5000));
    await stream.stop();
    assert.deepEqual(errors, []);
    assert.ok(samples.length >= 3, `${samples.length} samples in 5 s`);
    const last = samples.at(-1)!;
    assert.ok(last.cpuPercent > 30 && last.cpuPercent < 70, `CPU ${last.cpuPercent}% of one core under --cpus 0.5`);
    for (let i = 1; i < samples.length; i++) assert.ok(samples[i]!.at - samples[i - 1]!.at >= 500, 'no duplicate redraws');

    assert.match((await docker.logs(id)).stdout, /started/);
    const listed = await docker.listContainers({ [OWNER_LABEL]: owner });
    assert.deepEqual(listed.map((c) => c.id), [id]);
    assert.equal(listed[0]!.state, 'running');
    assert.equal((await docker.listNetworks({ [OWNER_LABEL]: owner })).length, 1);

    const removed = await cleanupByLabel(owner);
    assert.deepEqual(removed, { containers: 1, networks: 1, volumes: 0 });
    assert.deepEqual(await docker.listContainers({ [OWNER_LABEL]: owner }), []);
    // Removing what is already gone is not an error (teardown runs again on failures).
    await docker.rm(id);
    await docker.networkRm(owner);
  });
});
