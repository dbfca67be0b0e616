/**
 * One pacer run split across two containers (`generators: 2`, issue 19) against the real API in
 * its container: each instance writes its own folder, offers half the rate from the same start,
 * the merged totals are the sum of the instances' and match what the API counted, and the merged
 * percentiles are those of the instances' histograms added together.
 */
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Histogram } from '../pacer/histogram.js';
import { parseRawResult } from '../src/raw-schema.js';
import { runLoad } from '../src/runner.js';
import { parseLoadSummary, type LoadSummary } from '../src/summary-schema.js';
import { API_IMAGE, PACER_IMAGE, startApi } from './helpers/api-container.js';
import { startConstantTarget } from './helpers/constant-target.js';
import { assertRunAddsUp, tempDir } from './helpers/run-checks.js';
import { requireDocker } from '@rightsize/compose/testing';

// 70 and 140 users / 1.75 s = 40 then 80 req/s in all; 1 s ramps, 4 s holds
const SCHEDULE = { startUsers: 70, maxUsers: 140, stepUsers: 70, rampS: 1, holdS: 4, thinkMinS: 1, thinkMaxS: 2.5 };

describe('a pacer run split across two generator instances', () => {
  test('each instance in its own container and folder offers half; the merge adds up to the sum and to what the API counted', async (t) => {
    if (!(await requireDocker(t, { images: [API_IMAGE, PACER_IMAGE] }))) return;
    const api = await startApi(t, 'load-pacer-gen2');
    const before = await api.predictCount();
    const outDir = await tempDir(t);
    const { summaryPath, summary } = await runLoad(
      {
        engine: 'pacer',
        scenario: 'arrival',
        target: api.serviceUrl,
        schedule: SCHEDULE,
        generators: 2,
        checkEvery: 5,
        generator: { runtime: 'docker', cpus: 1, memory: '256m', network: api.network, networkOwner: api.owner },
        outDir,
      },
      { docker: api.docker },
    );
    await assertRunAddsUp(summaryPath, (await api.predictCount()) - before);
    assert.equal(summary.generators, 2);
    assert.equal(summary.aborted, false, summary.abort_reason ?? '');
    assert.equal(summary.totals.errors.total, 0);

    const instances = await Promise.all([0, 1].map((i) => readInstance(outDir, i)));
    assert.equal(instances[0]!.summary.started_at, instances[1]!.summary.started_at, 'both instances started the schedule at the same time');
    assert.equal(summary.totals.requests, instances[0]!.summary.totals.requests + instances[1]!.summary.totals.requests, 'merged total = sum of the instances');

    for (const step of summary.steps) {
      const parts = instances.map((inst) => inst.summary.steps.find((s) => s.index === step.index)!);
      assert.equal(step.requests, parts[0]!.requests + parts[1]!.requests, `step ${step.index}: requests summed`);
      assert.equal(step.errors.total, 0);
      assert.deepEqual(step.generator.instances?.map((h) => h.valid), [true, true], step.generator.reasons.join('; '));
      assert.equal(step.generator.valid, true);
      for (const [i, part] of parts.entries()) {
        // each instance planned exactly half the offered rate, and sent half of the requests, within boundary jitter
        assert.ok(Math.abs(part.offered_rps! * 2 - step.offered_rps!) <= 0.002, `step ${step.index}, instance ${i}: offered ${part.offered_rps} of ${step.offered_rps}`);
        assert.ok(Math.abs(part.requests - step.requests / 2) <= 2, `step ${step.index}, instance ${i}: ${part.requests} of ${step.requests} requests`);
        assert.ok(part.generator.cpu_pct_avg !== null, `step ${step.index}, instance ${i}: its own container was sampled`);
      }
      // the merged percentiles are those of the instances' histograms added together
      const merged = new Histogram();
      for (const inst of instances) merged.add(Histogram.decode(inst.raw.steps.find((s) => s.index === step.index)!.histograms!.latency));
      const expected = merged.stats();
      assert.deepEqual(
        [step.latency_ms.p50, step.latency_ms.p95, step.latency_ms.p99, step.latency_ms.max],
        [expected.p50, expected.p95, expected.p99, expected.max],
        `step ${step.index}: merged percentiles`,
      );
    }
  });
});

describe('two pacer processes, one breaking the objective', () => {
  test('the first instance to stop stops the other, and the merged abort reason names it', async (t) => {
    const target = await startConstantTarget(t);
    const outDir = await tempDir(t);
    // no answer comes in 10 µs: an instance breaks the objective in step 0 and the run ends there
    const { summary } = await runLoad(
      { engine: 'pacer', scenario: 'arrival', target: target.url, schedule: SCHEDULE, generators: 2, objective: { p95Ms: 0.01 }, generator: { runtime: 'local' }, outDir },
      {},
    );
    assert.equal(summary.generators, 2);
    assert.equal(summary.aborted, true);
    assert.match(summary.abort_reason!, /^generator [12] of 2: step 0 broke the objective: /);
    assert.deepEqual(summary.steps.map((s) => s.index), [0], 'no instance went on to the next step');
    assert.equal(summary.steps[0]!.completed, false);
    const instances = await Promise.all([0, 1].map((i) => readInstance(outDir, i)));
    assert.ok(instances.every((inst) => inst.summary.aborted && inst.summary.steps.length === 1));
    assert.equal(summary.totals.requests, instances[0]!.summary.totals.requests + instances[1]!.summary.totals.requests);
  });
});

async function readInstance(outDir: string, i: number): Promise<{ summary: LoadSummary; raw: ReturnType<typeof parseRawResult> }> {
  const dir = path.join(outDir, `gen-${i}`);
  assert.ok((await stat(dir)).isDirectory(), `${dir} exists`);
  const summary = parseLoadSummary(JSON.parse(await readFile(path.join(dir, 'summary.json'), 'utf8')), `gen-${i}/summary.json`);
  const raw = parseRawResult(JSON.parse(await readFile(path.join(dir, 'raw.json'), 'utf8')), `gen-${i}/raw.json`);
  return { summary, raw };
}
