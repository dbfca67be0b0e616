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
import { removeSweepOwner } from '../../src/adapters/stale-cleanup.js';
import { leftovers } from '../support/leftovers.js';
import { assertMinimumHeldItself, runRealSweep } from '../support/real-sweep.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PLAN = path.resolve(here, '../../plans/ci-e2e.yaml');
const CLI = path.resolve(here, '../../src/cli.ts');
const IMAGES = ['rightsize-api:latest', 'haproxy:2.6', 'grafana/k6:1.8.1'];
const docker = createDocker();


test('a small sweep on the real engine reports a minimum whose own trial held the target', { timeout: 15 * 60_000 }, async (t) => {
  if (!(await requireDocker(t, { images: IMAGES }))) return;
  const run = await runRealSweep(t, docker, { planFile: PLAN, runId: 'e2e' });
  const { dir, owner, phases } = run;
  const own = assertMinimumHeldItself(run, 40);
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
