/** What every engine test asserts about a finished run. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { parseLoadSummary, type LoadSummary } from '../../src/summary-schema.js';

/** The summary on disk validates, per-step counts add up, and the generator and the API agree within 0.5 %. */
export async function assertRunAddsUp(summaryPath: string, apiCounted: number, opts: { checks?: boolean } = {}): Promise<LoadSummary> {
  const summary = parseLoadSummary(JSON.parse(await readFile(summaryPath, 'utf8')), summaryPath);
  const stepSum = summary.steps.reduce((a, s) => a + s.requests, 0);
  assert.equal(stepSum, summary.totals.requests, 'per-step requests add up to the total');
  assert.equal(
    summary.steps.reduce((a, s) => a + s.errors.total, 0),
    summary.totals.errors.total,
    'per-step errors add up to the total',
  );
  assert.ok(summary.totals.requests > 0, 'the run sent requests');
  const diff = Math.abs(summary.totals.requests - apiCounted);
  assert.ok(diff <= apiCounted * 0.005, `generator counted ${summary.totals.requests}, the API ${apiCounted} (more than 0.5 % apart)`);
  for (const step of summary.steps) {
    assert.ok(step.requests > 0, `step ${step.index} sent requests`);
    if (opts.checks !== false) assert.ok(step.checks.passes > 0 && step.checks.fails === 0, `step ${step.index}: sampled responses match the contract (${JSON.stringify(step.checks)})`);
  }
  return summary;
}

/** A run folder removed after the test (also when it fails). */
export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rs-load-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
