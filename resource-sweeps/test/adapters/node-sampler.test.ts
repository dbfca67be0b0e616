/**
 * The per-node sampler of runtime swarm: what the sweep reads from real `docker inspect --type
 * task` output (fixtures captured on this machine, 7 Dec 2026: a global sampler task with the
 * host-mode port Swarm picked, an API task OOM-killed at 24m), and the image itself on the real
 * engine: it reads a container's cgroup files exactly as the local reader does, and refuses
 * anything outside the cgroup root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDocker, OWNER_LABEL, type TaskInspect } from '@rightsize/compose/docker';
import { TaskInspectSchema } from '@rightsize/compose/docker-parse';
import { createOwner, registerCleanup, requireDocker } from '@rightsize/compose/testing';
import { createCgroupReader } from '../../src/adapters/cgroup.js';
import { startContainerSampler } from '../../src/adapters/container-sampler.js';
import { fetchWithin, NODE_SAMPLER_IMAGE, NODE_SAMPLER_PORT, remoteCgroupFiles, samplerPorts, samplerUrl } from '../../src/adapters/node-sampler.js';
import { taskExit, taskStatus } from '../../src/adapters/swarm-stack.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = async (name: string): Promise<TaskInspect[]> => (JSON.parse(await readFile(path.join(here, 'fixtures', name), 'utf8')) as unknown[]).map((t) => TaskInspectSchema.parse(t));
const docker = createDocker();

test('each node\'s sampler port is read from its running task; the URL brackets IPv6', async () => {
  const tasks = await fixture('swarm-task-sampler.json');
  const [task] = tasks;
  assert.ok(task);
  assert.deepEqual([...samplerPorts(tasks)], [[task.NodeID, 1026]]);
  assert.equal(samplerPorts([{ ...task, Status: { ...task.Status, State: 'shutdown' } }]).size, 0, 'a task that is not running has no sampler to ask');
  assert.equal(samplerUrl('127.0.0.1', 1026), 'http://127.0.0.1:1026');
  assert.equal(samplerUrl('fd00::5', 1026), 'http://[fd00::5]:1026');
});

test('an API task\'s state and limits come from the task; one OOM-killed on another node is said as inferred from exit 137', async () => {
  const tasks = await fixture('swarm-task-api-failed.json');
  const failed = tasks.find((t) => t.Status.State === 'failed');
  const starting = tasks.find((t) => t.Status.State === 'starting');
  assert.ok(failed && starting);
  assert.deepEqual(taskStatus(failed), { running: false, exitCode: 137, cpuLimit: 1, memLimitMib: 24 });
  const event = taskExit(failed, 'stack_api.1.x', 'node-b');
  assert.equal(event?.kind, 'oom');
  assert.match(event?.detail ?? '', /exit 137\) on node node-b: an OOM kill, as its task reports it/);
  assert.equal(taskExit(starting, 'stack_api.2.y', 'node-b'), null, 'a task still starting has not ended');
  assert.equal(taskExit({ ...failed, Status: { ...failed.Status, ContainerStatus: { ...failed.Status.ContainerStatus, ExitCode: 3 } } }, 'n', 'node-b')?.kind, 'exit');
});

test('the node sampler image reads a container\'s cgroups as the local reader does, and refuses paths outside the cgroup root', async (t) => {
  if (!(await requireDocker(t, { images: [NODE_SAMPLER_IMAGE] }))) return;
  const owner = createOwner('node-sampler');
  registerCleanup(t, owner);
  const id = await docker.run({
    image: NODE_SAMPLER_IMAGE,
    labels: { [OWNER_LABEL]: owner },
    memory: '96m',
    cpus: 0.5,
    volumes: ['/sys/fs/cgroup:/host/cgroup:ro'],
    env: { NODE_ID: 'test-node', NODE_HOSTNAME: 'test-host' },
    publish: [{ container: NODE_SAMPLER_PORT }],
  });
  const url = samplerUrl('127.0.0.1', await docker.hostPort(id, NODE_SAMPLER_PORT));
  const deadline = Date.now() + 20_000;
  let health: { node?: { id: string; hostname: string } } | null = null;
  while (!health && Date.now() < deadline) {
    health = await fetchWithin(`${url}/health`, {}, 1_000).then((r) => (r.ok ? (r.json() as Promise<{ node: { id: string; hostname: string } }>) : null), () => null);
    if (!health) await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual(health?.node, { id: 'test-node', hostname: 'test-host' });

  // the sampler's own container, read remotely and locally: the same limit, CPU time that only grows
  const full = (await docker.inspect(id)).Id;
  const remote = createCgroupReader({ files: remoteCgroupFiles(url) });
  const local = createCgroupReader();
  const before = await local.read(full);
  const over = await remote.read(full);
  const after = await local.read(full);
  assert.ok(before && over && after);
  assert.equal(over.mem_limit_bytes, 96 * 1024 * 1024);
  assert.equal(over.mem_limit_bytes, before.mem_limit_bytes);
  assert.ok(over.cpu_ns !== null && before.cpu_ns !== null && after.cpu_ns !== null && before.cpu_ns <= over.cpu_ns && over.cpu_ns <= after.cpu_ns, `${before.cpu_ns} <= ${over.cpu_ns} <= ${after.cpu_ns}`);
  assert.ok((over.mem_bytes ?? 0) > 0);
  assert.equal(await remote.read('0'.repeat(64)), null, 'a container that is not on the node reads as gone');

  // the container sampler takes a per-container reader and the orchestrator's state
  const sampler = startContainerSampler({ docker, cgroups: local, list: async () => [{ id: full, name: 'sampled', service: 'api', node: 'test-host', cgroups: remote, status: { running: true, exitCode: null, cpuLimit: 0.5, memLimitMib: 96 } }], intervalMs: 300, cores: 2 });
  await new Promise((r) => setTimeout(r, 1200));
  const { samples } = await sampler.stop();
  assert.ok(samples.length >= 3);
  assert.ok(samples.every((s) => s.node === 'test-host' && s.running && s.cpu_limit === 0.5 && s.mem_limit_mib === 96 && (s.mem_mib ?? 0) > 0));

  const files = remoteCgroupFiles(url);
  await assert.rejects(files(['../../etc/passwd']), /answered 400: "..\/..\/etc\/passwd" leaves the cgroup root/);
  await assert.rejects(files(['/etc/shadow']), /answered 400: .*absolute paths other than \/proc\/stat, \/proc\/pressure\/cpu are refused/);
  const [stat] = await files(['/proc/stat']);
  assert.match(stat ?? '', /^cpu /);
  await assert.rejects(remoteCgroupFiles('http://127.0.0.1:9', { timeoutMs: 500 })(['cpu.stat']), /node sampler http:\/\/127\.0\.0\.1:9 did not answer/);
});
