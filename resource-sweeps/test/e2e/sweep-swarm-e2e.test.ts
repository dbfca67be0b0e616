/**
 * End to end with `runtime: swarm` on the real engine: the ci-swarm plan deploys the same compose
 * file with `docker stack deploy` on a single-node swarm (entered for the sweep, as --swarm-init
 * allows, when the engine is not in swarm mode, and left afterwards; refused without it). The 24m configuration is OOM-killed while starting
 * and must be judged an OOM (Swarm does not replace the task), not an infrastructure failure;
 * 384m holds the target with both replicas behind the balancer; nothing is left afterwards:
 * no stack, service, container or network of the sweep, and swarm mode as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDocker } from '@rightsize/compose/docker';
import { requireDocker } from '@rightsize/compose/testing';
import { createCgroupReader } from '../../src/adapters/cgroup.js';
import { createDockerTrialExecutor } from '../../src/adapters/docker-trial-executor.js';
import { createLoadtestDriver } from '../../src/adapters/load-driver.js';
import { createStackAdapter } from '../../src/adapters/stack-adapter.js';
import { checkSwarmRuntime, createSwarmSession } from '../../src/adapters/swarm-mode.js';
import { createSweepOwner, removeSweepOwner } from '../../src/adapters/stale-cleanup.js';
import { configKey } from '../../src/core/config-space.js';
import { createSweep } from '../../src/engine/sweep-engine.js';
import { loadPlanFile } from '../../src/plan/load-plan.js';
import { createRunStore } from '../../src/results/run-store.js';
import { RUN_SCHEMA_ID } from '../../src/results/trial-record.js';
import { machineInfo } from '../../src/adapters/machine-facts.js';
import { leftovers } from '../support/leftovers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PLAN = path.resolve(here, '../../plans/ci-swarm.yaml');
const IMAGES = ['rightsize-api:latest', 'haproxy:2.6', 'grafana/k6:1.8.1', 'rightsize-node-sampler:latest'];
const docker = createDocker();


test('a sweep with runtime swarm: OOM at start judged as OOM, a passing minimum, nothing left, swarm mode as it was', { timeout: 15 * 60_000 }, async (t) => {
  if (!(await requireDocker(t, { images: IMAGES }))) return;
  const before = await docker.swarmState();
  if (before.active) t.diagnostic('engine already in swarm mode: the sweep uses it and must leave it on');
  else {
    // without --swarm-init an engine outside swarm mode is refused before any trial, with the fix, and left alone
    await assert.rejects(checkSwarmRuntime(docker, { allowInit: false }), (e: Error & { hint?: string }) => /not in swarm mode/.test(e.message) && /docker swarm init --advertise-addr 127\.0\.0\.1/.test(e.hint ?? '') && /--swarm-init/.test(e.hint ?? ''));
    await assert.rejects(createSwarmSession({ docker, owner: 'rs-never', allowInit: false }).ensure(), /not in swarm mode/);
    assert.equal((await docker.swarmState()).active, false, 'a refused sweep does not enter swarm mode');
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rs-sweep-swarm-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const owner = createSweepOwner();
  t.after(() => removeSweepOwner(docker, owner));
  const stack = createStackAdapter({ docker, swarmInit: true }); // as --swarm-init: the test leaves swarm mode as it found it
  t.after(() => stack.close?.());
  const { plan } = await loadPlanFile({ file: PLAN });
  assert.equal(plan.runtime, 'swarm');
  const store = createRunStore({ dir });
  const sweep = createSweep({
    store,
    meta: { schema: RUN_SCHEMA_ID, run_id: 'swarm-e2e', created_at: new Date().toISOString(), plan_source: PLAN, plan, machine: await machineInfo(docker), git_commit: null },
    executor: createDockerTrialExecutor({ docker, stack, load: createLoadtestDriver({ docker }), cgroups: createCgroupReader(), owner, cores: os.availableParallelism() }),
  });
  const details: string[] = [];
  let activeDuringTrial = false;
  sweep.events.on('trial:phase', (e) => {
    details.push(`${e.phase}: ${e.detail ?? ''}`);
    if (e.phase === 'healthy') void docker.swarmState().then((s) => (activeDuringTrial ||= s.active));
  });
  sweep.events.on('trial:end', (e) => t.diagnostic(`trial #${e.record.index} ${configKey(e.record.config)}: ${e.record.outcome.end}, held ${e.record.outcome.held_users}, ${Math.round(e.record.duration_s)} s; ${e.record.outcome.failed_step?.reasons.map((r) => r.detail).join('; ') ?? ''}`));
  const { summary } = await sweep.run();

  assert.ok(details.some((d) => /docker stack deploy rs-sweep-/.test(d)), 'deployed with docker stack deploy');
  // entering swarm mode is said, once, with how to keep a swarm of one's own; never done silently
  const entered = details.filter((d) => /not in swarm mode: entered it for this sweep as --swarm-init allows \(docker swarm init/.test(d));
  assert.equal(entered.length, before.active ? 0 : 1, details.join('\n'));
  assert.ok(activeDuringTrial, 'the engine was in swarm mode during the trial');
  const { records } = await store.read();
  const oom = records.find((r) => r.config.memory_mib === 24);
  assert.ok(oom, 'the 24m configuration was tried (it is the cheaper one)');
  assert.equal(oom.outcome.held_users, 0);
  assert.ok(oom.outcome.failed_step?.reasons.some((r) => r.kind === 'oom'), `24m: ${JSON.stringify(oom.outcome.failed_step?.reasons)}`);
  assert.ok(!oom.outcome.failed_step?.reasons.some((r) => r.kind === 'infrastructure'), 'an OOM at start is the configuration failing, not the machine');

  assert.equal(summary.complete, true);
  assert.equal(summary.overall?.status, 'pass');
  assert.equal(summary.overall?.config.memory_mib, 384);
  const own = records.find((r) => r.index === summary.overall?.trial_index);
  assert.ok(own);
  assert.equal(own.outcome.end, 'target');
  assert.equal(own.outcome.held_users, 30);
  const step = own.outcome.steps.at(-1);
  assert.ok(step && step.requests > 0 && step.error_rate === 0, `last step: ${JSON.stringify(step)}`);
  // the sampler found both task containers through the stack's labels, with their limits
  assert.equal(step.api.cpu_limit_pct, 2 * 100);
  assert.equal(step.api.mem_limit_mib, 384);
  assert.ok((step.api.cpu_pct_avg ?? 0) > 0);
  // ...read through the node sampler (a global service of the stack) on the task's own node, not this host's cgroups
  const onNode = details.map((d) => /API tasks on 1 node\(s\) \((.+)\), sampled by the node sampler on each/.exec(d)?.[1]).find(Boolean);
  assert.ok(onNode, details.join('\n'));
  assert.ok(own.samples_file);
  const rows = (await readFile(path.join(dir, own.samples_file), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { service?: string; node?: string; cpu_pct?: number | null; mem_mib?: number | null });
  const api = rows.filter((r) => r.service === 'api');
  assert.ok(api.length >= 4, `api samples: ${api.length}`);
  assert.ok(api.every((r) => r.node === onNode), `every API sample names the node its task ran on (${onNode})`);
  assert.ok(api.some((r) => (r.cpu_pct ?? 0) > 0) && api.some((r) => (r.mem_mib ?? 0) > 0), 'CPU and memory read through the sampler');

  assert.deepEqual(await leftovers(owner), [], 'every stack was removed');
  assert.equal((await docker.swarmState()).active, before.active, 'swarm mode is as it was before the sweep');
});
