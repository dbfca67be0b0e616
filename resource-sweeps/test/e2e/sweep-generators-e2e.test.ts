/**
 * Load split across two generator instances (`load.generators: 2`, the pacer) through a whole
 * sweep, on both runtimes: the ci-generators plan once with `runtime: compose` and once with
 * `runtime: swarm` on a single-node swarm (entered for the sweep when the engine is not in swarm
 * mode, and left afterwards). The verdicts must agree: the same status for every configuration
 * and the same held users. Tolerance: none, on purpose. The plan's two configurations sit far
 * from any boundary (24m is OOM-killed at start; 384m holds its 400 req/s at a few percent of two
 * CPUs), so any difference is the runtime or the split, not noise. Each trial's load must come
 * from both instances, and nothing of either sweep, nor swarm mode, is left behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDocker } from '@rightsize/compose/docker';
import { requireDocker } from '@rightsize/compose/testing';
import { parseLoadSummary } from '@rightsize/loadtest/summary-schema';
import { readFile } from 'node:fs/promises';
import { createCgroupReader } from '../../src/adapters/cgroup.js';
import { createDockerTrialExecutor } from '../../src/adapters/docker-trial-executor.js';
import { createLoadtestDriver } from '../../src/adapters/load-driver.js';
import { machineInfo } from '../../src/adapters/machine-facts.js';
import { createStackAdapter } from '../../src/adapters/stack-adapter.js';
import { createSweepOwner, removeSweepOwner } from '../../src/adapters/stale-cleanup.js';
import { configKey } from '../../src/core/config-space.js';
import { createSweep } from '../../src/engine/sweep-engine.js';
import { loadPlanFile } from '../../src/plan/load-plan.js';
import type { SweepPlan } from '../../src/plan/plan-schema.js';
import { createRunStore } from '../../src/results/run-store.js';
import { RUN_SCHEMA_ID, type TrialRecord } from '../../src/results/trial-record.js';
import type { Summary } from '../../src/summary/summary-schema.js';
import { leftovers } from '../support/leftovers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PLAN = path.resolve(here, '../../plans/ci-generators.yaml');
const IMAGES = ['rightsize-api:latest', 'haproxy:2.6', 'node:24-bookworm-slim', 'rightsize-node-sampler:latest'];
const docker = createDocker();

async function sweepOn(t: import('node:test').TestContext, plan: SweepPlan): Promise<{ summary: Summary; records: TrialRecord[]; dir: string; owner: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `rs-sweep-gen-${plan.runtime}-`));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const owner = createSweepOwner();
  t.after(() => removeSweepOwner(docker, owner));
  const stack = createStackAdapter({ docker, swarmInit: true }); // as --swarm-init: the test leaves swarm mode as it found it
  t.after(() => stack.close?.());
  const store = createRunStore({ dir });
  const sweep = createSweep({
    store,
    meta: { schema: RUN_SCHEMA_ID, run_id: `gen-${plan.runtime}`, created_at: new Date().toISOString(), plan_source: PLAN, plan, machine: await machineInfo(docker), git_commit: null },
    executor: createDockerTrialExecutor({ docker, stack, load: createLoadtestDriver({ docker }), cgroups: createCgroupReader(), owner, cores: os.availableParallelism() }),
  });
  sweep.events.on('trial:end', (e) => t.diagnostic(`${plan.runtime} trial #${e.record.index} ${configKey(e.record.config)}: ${e.record.outcome.end}, held ${e.record.outcome.held_users}; ${e.record.outcome.failed_step?.reasons.map((r) => r.detail).join('; ') ?? ''}`));
  const { summary } = await sweep.run();
  await stack.close?.();
  const { records } = await store.read();
  return { summary, records, dir, owner };
}

const verdicts = (s: Summary) => Object.fromEntries(s.configs.map((c) => [configKey(c.config), { status: c.status, held: c.held_users }]));

test('two generator instances per trial: compose and swarm reach the same verdicts, each trial loaded by both instances', { timeout: 20 * 60_000 }, async (t) => {
  if (!(await requireDocker(t, { images: IMAGES }))) return;
  const before = await docker.swarmState();
  const { plan } = await loadPlanFile({ file: PLAN });
  assert.equal(plan.load.generators, 2);
  const compose = await sweepOn(t, { ...plan, runtime: 'compose' });
  const swarm = await sweepOn(t, { ...plan, runtime: 'swarm' });

  for (const run of [compose, swarm]) {
    assert.equal(run.summary.complete, true);
    assert.equal(run.summary.overall?.config.memory_mib, 384, `${run.summary.run_id}: ${run.summary.findings.minimum}`);
    const passing = run.records.find((r) => r.index === run.summary.overall?.trial_index);
    assert.ok(passing && passing.load.summary_file, 'the minimum has its own load summary');
    const summary = parseLoadSummary(JSON.parse(await readFile(path.join(run.dir, passing.load.summary_file), 'utf8')));
    assert.equal(summary.generators ?? 1, 2, 'the merged summary says two instances made it');
    const instances = (await readdir(path.dirname(path.join(run.dir, passing.load.summary_file)))).filter((f) => /^gen-\d+$/.test(f));
    assert.equal(instances.length, 2, `one folder per instance: ${instances.join(', ')}`);
    assert.ok(summary.steps.every((st) => st.requests > 0 && st.errors.total === 0), 'every step answered, no errors');
    assert.deepEqual(await leftovers(run.owner), [], `${run.summary.run_id}: nothing left in Docker`);
  }
  assert.deepEqual(verdicts(swarm.summary), verdicts(compose.summary), 'the same status and held users for every configuration on both runtimes');
  assert.equal((await docker.swarmState()).active, before.active, 'swarm mode is as it was before the test');
});
