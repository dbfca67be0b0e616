/**
 * The pacer against the real API in its container: in its own container on the run's network
 * and as a local process on loopback, its per-step counts add up, match the API's /metrics
 * within 0.5 % and offer exactly the planned rate; a step that breaks the objective ends the run.
 * A pacer starved of CPU against a constant-answer target: its lag is its own, the step invalid.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runLoad } from '../src/runner.js';
import { API_IMAGE, PACER_IMAGE, startApi } from './helpers/api-container.js';
import { startConstantTarget } from './helpers/constant-target.js';
import { assertRunAddsUp, tempDir } from './helpers/run-checks.js';
import { requireDocker } from '@rightsize/compose/testing';

const SMALL = { startUsers: 100, maxUsers: 200, stepUsers: 100, rampS: 1, holdS: 3, thinkMinS: 0.5, thinkMaxS: 1.5, rates: [60, 120] };

describe('the pacer against the API in its container', () => {
  for (const scenario of ['arrival', 'poisson'] as const) {
    test(`in its container, ${scenario}: counts add up, match the API's /metrics within 0.5 %, and offer the planned load`, async (t) => {
      if (!(await requireDocker(t, { images: [API_IMAGE, PACER_IMAGE] }))) return;
      const api = await startApi(t, `load-pacer-${scenario}`);
      const before = await api.predictCount();
      const live: number[] = [];
      const { summaryPath, summary } = await runLoad(
        {
          engine: 'pacer',
          scenario,
          target: api.serviceUrl,
          schedule: SMALL,
          checkEvery: 5,
          generator: { runtime: 'docker', cpus: 1, memory: '256m', network: api.network, networkOwner: api.owner },
          outDir: await tempDir(t),
        },
        { docker: api.docker, onEvent: (e) => void (e.type === 'progress' && e.rps !== null && live.push(e.rps)) },
      );
      await assertRunAddsUp(summaryPath, (await api.predictCount()) - before);
      assert.equal(summary.engine, 'pacer');
      assert.match(summary.engine_version, /^\d+\.\d+\.\d+ \(node 24\./, 'the container runs Node 24');
      assert.equal(summary.model, 'open');
      assert.equal(summary.aborted, false);
      assert.ok(live.length > 0 && Math.max(...live) > 0, 'live counters reached the runner');
      for (const s of summary.steps) {
        assert.ok(s.generator.cpu_pct_avg !== null, `step ${s.index}: the container was sampled`);
        assert.equal(s.generator.valid, true, s.generator.reasons.join('; '));
        // even arrivals are exact; Poisson counts over a 3 s step vary by about 10 %
        const [low, high] = scenario === 'arrival' ? [0.99, 1.01] : [0.6, 1.4];
        assert.ok(s.generator.achieved_ratio! >= low && s.generator.achieved_ratio! <= high, `step ${s.index}: achieved ${s.generator.achieved_ratio} of the offered rate`);
      }
    });
  }

  test('as a local process on loopback: counts match the API, and a step that breaks the objective ends the run', async (t) => {
    if (!(await requireDocker(t, { images: [API_IMAGE] }))) return;
    const api = await startApi(t, 'load-pacer-local');
    const before = await api.predictCount();
    const { summaryPath, summary } = await runLoad(
      { engine: 'pacer', scenario: 'arrival', target: api.hostUrl, schedule: SMALL, checkEvery: 5, generator: { runtime: 'local' }, outDir: await tempDir(t) },
      { docker: api.docker },
    );
    await assertRunAddsUp(summaryPath, (await api.predictCount()) - before);
    assert.ok(summary.steps.every((s) => s.generator.cpu_pct_avg !== null), 'the process was sampled from /proc');

    // no API answers in 10 µs: the first step breaks the objective and the run ends there
    const strict = await runLoad(
      { engine: 'pacer', scenario: 'arrival', target: api.hostUrl, schedule: SMALL, objective: { p95Ms: 0.01 }, generator: { runtime: 'local' }, outDir: await tempDir(t) },
      { docker: api.docker },
    );
    assert.equal(strict.summary.aborted, true);
    // stopped while the step ran, as soon as over 5 % of its judged requests were over the objective
    assert.match(strict.summary.abort_reason!, /step 0 broke the objective: \d+ answers over 0\.01 ms already put the step's p95 above it \(of 200 judged requests\)/);
    assert.equal(strict.summary.steps.length, 1);
  });
});

describe('a starved pacer', () => {
  test('its own lag is flagged invalid, not read as the server failing (a constant-answer target)', async (t) => {
    if (!(await requireDocker(t, { images: [PACER_IMAGE] }))) return;
    const target = await startConstantTarget(t);
    // 2,000 req/s needs about a tenth of a core of the pacer; it gets a twentieth
    const { summary } = await runLoad(
      {
        engine: 'pacer',
        scenario: 'poisson',
        target: target.url,
        schedule: { rates: [2000], holdS: 5 },
        objective: { p95Ms: 50 },
        checkEvery: 0,
        generator: { runtime: 'docker', cpus: 0.05, memory: '256m', cpuset: 'none' },
        outDir: await tempDir(t),
        graceS: 60,
      },
      {},
    );
    const step = summary.steps[0]!;
    assert.equal(step.errors.total, 0, 'the target answered every request');
    assert.equal(step.generator.valid, false);
    assert.ok(step.generator.send_lag_p95_ms! > 5, `send lag p95 ${step.generator.send_lag_p95_ms} ms`);
    assert.ok(
      step.generator.reasons.some((r) => /generator sent late: p95 .* ms behind schedule > 10% of the 50 ms objective/.test(r)),
      step.generator.reasons.join('; '),
    );
  });
});
