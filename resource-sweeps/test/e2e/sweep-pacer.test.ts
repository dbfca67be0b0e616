/**
 * End to end with the pacer: the ci-pacer plan (open model on the project's own generator, one
 * replica count, two CPU limits) through the real compose stack, HAProxy and the pacer in its
 * container. Every trial's load was the pacer's, at the planned rate, and the minimum is a
 * configuration whose own trial held the target.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDocker } from '@rightsize/compose/docker';
import { requireDocker } from '@rightsize/compose/testing';
import { parseLoadSummary } from '@rightsize/loadtest/summary-schema';
import { leftovers } from '../support/leftovers.js';
import { assertMinimumHeldItself, runRealSweep } from '../support/real-sweep.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PLAN = path.resolve(here, '../../plans/ci-pacer.yaml');
const IMAGES = ['rightsize-api:latest', 'haproxy:2.6', 'node:24-bookworm-slim'];
const docker = createDocker();

test('a sweep whose load is the pacer reports a minimum whose own trial held the target', { timeout: 10 * 60_000 }, async (t) => {
  if (!(await requireDocker(t, { images: IMAGES }))) return;
  const run = await runRealSweep(t, docker, { planFile: PLAN, runId: 'e2e-pacer' });
  const { dir, owner, records } = run;
  assert.equal(run.plan.load.engine, 'pacer');
  assertMinimumHeldItself(run, 400);

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
  // every trial was warmed at its own first judged step by the pacer, not judged
  for (const r of records) {
    assert.equal(r.warmup?.users, r.start_users, `#${r.index}: warm-up at the starting load`);
    assert.ok((r.warmup?.requests ?? 0) > 0, `#${r.index}: the warm-up sent requests`);
  }
  // boundary confirmation: the minimum (and the failure below it, when measured) ran twice, and the summary lines both runs up
  const confirmed = run.summary.confirmations ?? [];
  assert.ok(records.some((r) => r.confirmation), 'a confirmation trial ran');
  assert.ok(confirmed.length >= 1);
  for (const c of confirmed) {
    assert.equal(c.runs.length, 2, JSON.stringify(c));
    assert.equal(c.agree, c.status !== 'unknown', JSON.stringify(c));
  }
  assert.equal((await leftovers(owner)).length, 0, 'every trial was torn down');
});
