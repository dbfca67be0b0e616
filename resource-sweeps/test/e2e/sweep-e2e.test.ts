/**
 * End to end on the real engine: the ci-e2e plan (two CPU limits, one memory limit, two replica
 * counts, tens of users) through the real compose stack, k6 and the sampler. The report's
 * minimum must be a configuration whose own trial held the target. Then Ctrl-C through the CLI:
 * the current trial is torn down and nothing of the sweep is left in Docker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDocker } from '@rightsize/compose/docker';
import { requireDocker } from '@rightsize/compose/testing';
import { createCgroupReader } from '../../src/adapters/cgroup.js';
import { createComposeStackAdapter } from '../../src/adapters/compose-stack.js';
import { createDockerTrialExecutor } from '../../src/adapters/docker-trial-executor.js';
import { createLoadtestDriver } from '../../src/adapters/load-driver.js';
import { createSweepOwner, removeSweepOwner } from '../../src/adapters/stale-cleanup.js';
import { configKey } from '../../src/core/config-space.js';
import { createSweep } from '../../src/engine/sweep-engine.js';
import { loadPlanFile } from '../../src/plan/load-plan.js';
import { createRunStore } from '../../src/results/run-store.js';
import { RUN_SCHEMA_ID } from '../../src/results/trial-record.js';
import { machineInfo } from '../../src/adapters/machine-facts.js';
import { composeFilesFromEnv } from '../../src/run-setup.js';
import { leftovers } from '../support/leftovers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PLAN = path.resolve(here, '../../plans/ci-e2e.yaml');
const CLI = path.resolve(here, '../../src/cli.ts');
const IMAGES = ['rightsize-api:latest', 'haproxy:2.6', 'grafana/k6:1.8.1'];
const docker = createDocker();


test('a small sweep on the real engine reports a minimum whose own trial held the target', { timeout: 15 * 60_000 }, async (t) => {
  if (!(await requireDocker(t, { images: IMAGES }))) return;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rs-sweep-e2e-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const owner = createSweepOwner();
  t.after(() => removeSweepOwner(docker, owner));
  const { plan } = await loadPlanFile({ file: PLAN });
  const store = createRunStore({ dir });
  const sweep = createSweep({
    store,
    meta: { schema: RUN_SCHEMA_ID, run_id: 'e2e', created_at: new Date().toISOString(), plan_source: PLAN, plan, machine: await machineInfo(docker), git_commit: null },
    executor: createDockerTrialExecutor({ docker, stack: createComposeStackAdapter({ docker, ...(composeFilesFromEnv() ? { files: composeFilesFromEnv() as string[] } : {}) }), load: createLoadtestDriver({ docker }), cgroups: createCgroupReader(), owner, cores: os.availableParallelism() }),
  });
  const phases: string[] = [];
  sweep.events.on('trial:phase', (e) => phases.push(e.phase));
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
  assert.equal(own.outcome.held_users, 40);
  assert.ok(own.outcome.steps.every((s) => s.pass && s.requests > 0));
  // the sampler saw the API's limits and its CPU use
  const step = own.outcome.steps.at(-1);
  assert.equal(step?.api.cpu_limit_pct, own.config.replicas * own.config.cpus * 100);
  assert.equal(step?.api.mem_limit_mib, 384);
  assert.ok((step?.api.cpu_pct_avg ?? 0) > 0);
  for (const phase of ['up', 'healthy', 'warmup', 'load', 'down']) assert.ok(phases.includes(phase), phase);
  const html = await readFile(path.join(dir, 'report.html'), 'utf8');
  assert.match(html, /<svg/);
  assert.equal((await leftovers(owner)).length, 0, 'every trial was torn down');
});

test('Ctrl-C during a trial tears the stack down, keeps finished trials and exits 130', { timeout: 10 * 60_000 }, async (t) => {
  if (!(await requireDocker(t, { images: IMAGES }))) return;
  const reports = await mkdtemp(path.join(os.tmpdir(), 'rs-sweep-sigint-'));
  t.after(() => rm(reports, { recursive: true, force: true }));
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--plan', PLAN, '--reports', reports, '--run-id', 'sigint'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  t.after(() => child.kill('SIGKILL'));
  let output = '';
  const loadStarted = new Promise<void>((resolve) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/^\s+load: /m.test(output)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await Promise.race([loadStarted, exited]);
  // the owner is in the trial's project name, printed with the "up" phase
  const owner = /project (rs-sweep-\d+-[0-9a-f]+)-t/.exec(output)?.[1];
  assert.ok(owner, `no project in output:\n${output}`);
  t.after(() => removeSweepOwner(docker, owner));
  assert.ok((await leftovers(owner)).length > 0, 'the trial stack is up');
  child.kill('SIGINT');
  const code = await exited;
  assert.equal(code, 130, output);
  assert.match(output, /stopping: tearing down the current trial/);
  assert.equal((await leftovers(owner)).length, 0, 'nothing of the sweep is left in Docker');
  const results = await readFile(path.join(reports, 'sigint', 'results.jsonl'), 'utf8').catch(() => '');
  assert.equal(results, '', 'the interrupted trial is not recorded as finished');
  assert.match(await readFile(path.join(reports, 'sigint', 'report.md'), 'utf8'), /INCOMPLETE|did not finish/);
});
