import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { createDocker, OWNER_LABEL } from '@rightsize/compose/docker';
import { createOwner, registerCleanup, requireDocker } from '@rightsize/compose/testing';
import { createCgroupReader } from '../../src/adapters/cgroup.js';
import { startContainerSampler } from '../../src/adapters/container-sampler.js';
import { containerEvents, serviceUsage } from '../../src/core/samples.js';

const IMAGE = 'debian:bookworm-slim';
const docker = createDocker();

// 0.2 CPU: small enough that the container reaches its quota even on a busy 2-core host
test('sampling a CPU-bound container limited to 0.2 CPU sees about 20 % CPU, throttling and its limits', async (t) => {
  if (!(await requireDocker(t, { images: [IMAGE] }))) return;
  const owner = createOwner('sweep-sampler');
  registerCleanup(t, owner);
  const id = await docker.run({ image: IMAGE, labels: { [OWNER_LABEL]: owner }, cpus: 0.2, memory: '64m', command: ['sh', '-c', 'while :; do :; done'] });
  const sampler = startContainerSampler({
    docker,
    cgroups: createCgroupReader(),
    list: async () => [{ id, name: 'busy', service: 'api' }],
    intervalMs: 500,
    cores: os.availableParallelism(),
  });
  await new Promise((r) => setTimeout(r, 4000));
  const { samples, host } = await sampler.stop();
  assert.ok(samples.length >= 6, `${samples.length} samples`);
  const usage = serviceUsage(samples, 'api', { from: 0, to: Date.now() });
  assert.ok(usage.cpu_pct_avg !== null && usage.cpu_pct_avg > 12 && usage.cpu_pct_avg < 28, `cpu ${usage.cpu_pct_avg}`);
  assert.equal(usage.cpu_limit_pct, 20);
  assert.ok((usage.throttled_ratio ?? 0) > 0.5, `throttled ${usage.throttled_ratio}`);
  assert.equal(usage.mem_limit_mib, 64);
  assert.ok(host.length > 0 && host.every((h) => h.cpu_pct >= 0 && h.cpu_pct <= 100));
  assert.deepEqual(containerEvents(samples, 'api'), []);
});

test('a container that outgrows its memory limit is seen OOM-killed', async (t) => {
  if (!(await requireDocker(t, { images: [IMAGE] }))) return;
  const owner = createOwner('sweep-sampler-oom');
  registerCleanup(t, owner);
  // tail buffers /dev/zero looking for a newline that never comes: memory grows until the kill
  const id = await docker.run({ image: IMAGE, labels: { [OWNER_LABEL]: owner }, memory: '32m', command: ['sh', '-c', 'sleep 1; tail /dev/zero'] });
  const sampler = startContainerSampler({ docker, cgroups: createCgroupReader(), list: async () => [{ id, name: 'greedy', service: 'api' }], intervalMs: 300, cores: 2 });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && (await docker.health(id)).running) await new Promise((r) => setTimeout(r, 300));
  await new Promise((r) => setTimeout(r, 700));
  const { samples } = await sampler.stop();
  const events = containerEvents(samples, 'api');
  assert.deepEqual(events.map((e) => e.kind), ['oom']);
  assert.equal(samples.at(-1)?.exit_code, 137);
});
