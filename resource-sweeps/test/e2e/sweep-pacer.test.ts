/**
 * End to end with the pacer: the ci-pacer plan (open model on the project's own generator, one
 * replica count, two CPU limits) through the real compose stack, HAProxy and the pacer in its
 * container. Every trial's load was the pacer's, at the planned rate, and the minimum is a
 * configuration whose own trial held the target.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDocker } from '@rightsize/compose/docker';
import { requireDocker } from '@rightsize/compose/testing';
import { parseLoadSummary } from '@rightsize/loadtest/summary-schema';
import { createCgroupReader } from '../../src/adapters/cgroup.js';
import { createComposeStackAdapter } from '../../src/adapters/compose-stack.js';
import { createDockerTrialExecutor } from '../../src/adapters/docker-trial-executor.js';
import { createLoadtestDriver } from '../../src/adapters/load-driver.js';
import { machineInfo } from '../../src/adapters/machine-facts.js';
import { createSweepOwner, removeSweepOwner } from '../../src/adapters/stale-cleanup.js';
import { configKey } from '../../src/core/config-space.js';
import { createSweep } from '../../src/engine/sweep-engine.js';
import { loadPlanFile } from '../../src/plan/load-plan.js';
import { createRunStore } from '../../src/results/run-store.js';
import { RUN_SCHEMA_ID } from '../../src/results/trial-record.js';
import { composeFilesFromEnv } from '../../src/run-setup.js';
import { leftovers } from '../support/leftovers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PLAN = path.resolve(here, '../../plans/ci-pacer.yaml');
const IMAGES = ['rightsize-api:latest', 'haproxy:2.6', 'node:24-bookworm-slim'];
const docker = createDocker();

test('a sweep whose load is the pacer reports a minimum whose own trial held the target', { timeout: 10 * 60_000 }, async (t) => {
  if (!(await requireDocker(t, { images: IMAGES }))) return;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rs-sweep-pacer-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const owner = createSweepOwner();
  t.after(() => removeSweepOwner(docker, owner));
  const { plan } = await loadPlanFile({ file: PLAN });
  assert.equal(plan.load.engine, 'pacer');
  const store = createRunStore({ dir });
  const sweep = createSweep({
    store,
    meta: { schema: RUN_SCHEMA_ID, run_id: 'e2e-pacer', created_at: new Date().toISOString(), plan_source: PLAN, plan, machine: await machineInfo(docker), git_commit: null },
    executor: createDockerTrialExecutor({ docker, stack: createComposeStackAdapter({ docker, ...(composeFilesFromEnv() ? { files: composeFilesFromEnv() as string[] } : {}) }), load: createLoadtestDriver({ docker }), cgroups: createCgroupReader(), owner, cores: os.availableParallelism() }),
  });
  sweep.events.on('trial:end', (e) => t.diagnostic(`trial #${e.record.index} ${configKey(e.record.config)}: ${e.record.outcome.end}, held ${e.record.outcome.held_users}, ${Math.round(e.record.duration_s)} s; ${e.record.outcome.failed_step?.reasons.map((r) => r.detail).join('; ') ?? ''}`));
  const { summary } = await sweep.run();

  assert.equal(summary.complete, true);
  assert.ok(summary.overall, `no minimum: ${summary.findings.minimum}`);
  assert.equal(summary.overall.status, 'pass');
  assert.equal(summary.overall.measured, true);
  const { records } = await store.read();
  const own = records.find((r) => r.index === summary.overall?.trial_index);
  assert.ok(own);
  assert.equal(own.outcome.end, 'target');
  assert.equal(own.outcome.held_users, 400);
  assert.ok(own.outcome.steps.every((s) => s.pass && s.requests > 0));

  // every trial's load summary is the pacer's, and it offered the planned rate (users / 0.75 s)
  const trials = await readdir(path.join(dir, 'trials'));
  assert.equal(trials.length, records.length);
  for (const trial of trials) {
    const file = path.join(dir, 'trials', trial, 'load', 'summary.json');
    const load = parseLoadSummary(JSON.parse(await readFile(file, 'utf8')), file);
    assert.equal(load.engine, 'pacer');
    assert.equal(load.model, 'open');
    for (const step of load.steps.filter((s) => s.completed)) {
      assert.ok(step.generator.valid, `${trial} step ${step.index}: ${step.generator.reasons.join('; ')}`);
      assert.ok(Math.abs(step.generator.achieved_ratio! - 1) < 0.05 || step.errors.total > 0 || step.latency_ms.p95 > 200, `${trial} step ${step.index}: achieved ${step.generator.achieved_ratio}`);
    }
  }
  assert.equal((await leftovers(owner)).length, 0, 'every trial was torn down');
});
