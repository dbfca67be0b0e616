/**
 * A sweep of a plan file on the real engine (compose stack, the plan's load generator, the
 * sampler), as the end-to-end tests run it: a temporary run folder and an owner, both removed
 * after the test; and what every such test asserts of its answer.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { Docker } from '@rightsize/compose/docker';
import { createCgroupReader } from '../../src/adapters/cgroup.js';
import { createComposeStackAdapter } from '../../src/adapters/compose-stack.js';
import { createDockerTrialExecutor } from '../../src/adapters/docker-trial-executor.js';
import { createLoadtestDriver } from '../../src/adapters/load-driver.js';
import { machineInfo } from '../../src/adapters/machine-facts.js';
import { createSweepOwner, removeSweepOwner } from '../../src/adapters/stale-cleanup.js';
import { configKey } from '../../src/core/config-space.js';
import { createSweep } from '../../src/engine/sweep-engine.js';
import { loadPlanFile } from '../../src/plan/load-plan.js';
import type { SweepPlan } from '../../src/plan/plan-schema.js';
import { createRunStore } from '../../src/results/run-store.js';
import { RUN_SCHEMA_ID, type TrialRecord } from '../../src/results/trial-record.js';
import { composeFilesFromEnv } from '../../src/run-setup.js';
import type { Summary } from '../../src/summary/summary-schema.js';

export interface RealSweep {
  dir: string;
  owner: string;
  plan: SweepPlan;
  summary: Summary;
  records: TrialRecord[];
  /** every trial phase the sweep reported, in order */
  phases: string[];
}

export async function runRealSweep(t: TestContext, docker: Docker, options: { planFile: string; runId: string; adjust?: (plan: SweepPlan) => SweepPlan }): Promise<RealSweep> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `rs-sweep-${options.runId}-`));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const owner = createSweepOwner();
  t.after(() => removeSweepOwner(docker, owner));
  const loaded = (await loadPlanFile({ file: options.planFile })).plan;
  const plan = options.adjust ? options.adjust(loaded) : loaded;
  const store = createRunStore({ dir });
  const files = composeFilesFromEnv();
  const sweep = createSweep({
    store,
    meta: { schema: RUN_SCHEMA_ID, run_id: options.runId, created_at: new Date().toISOString(), plan_source: options.planFile, plan, machine: await machineInfo(docker), git_commit: null },
    executor: createDockerTrialExecutor({ docker, stack: createComposeStackAdapter({ docker, ...(files ? { files: files as string[] } : {}) }), load: createLoadtestDriver({ docker }), cgroups: createCgroupReader(), owner, cores: os.availableParallelism() }),
  });
  const phases: string[] = [];
  sweep.events.on('trial:phase', (e) => phases.push(e.phase));
  sweep.events.on('trial:end', (e) => t.diagnostic(`trial #${e.record.index} ${configKey(e.record.config)}: ${e.record.outcome.end}, held ${e.record.outcome.held_users}, ${Math.round(e.record.duration_s)} s; ${e.record.outcome.failed_step?.reasons.map((r) => r.detail).join('; ') ?? ''}`));
  const { summary } = await sweep.run();
  const { records } = await store.read();
  return { dir, owner, plan, summary, records, phases };
}

/** The sweep finished and named a minimum whose own trial held every step up to `target` users; returns that trial. */
export function assertMinimumHeldItself(run: RealSweep, target: number): TrialRecord {
  const { summary } = run;
  assert.equal(summary.complete, true);
  assert.ok(summary.overall, `no minimum: ${summary.findings.minimum}`);
  assert.equal(summary.overall.status, 'pass');
  assert.equal(summary.overall.measured, true);
  const own = run.records.find((r) => r.index === summary.overall?.trial_index);
  assert.ok(own);
  assert.equal(own.outcome.end, 'target');
  assert.equal(own.outcome.held_users, target);
  assert.ok(own.outcome.steps.every((s) => s.pass && s.requests > 0));
  return own;
}
