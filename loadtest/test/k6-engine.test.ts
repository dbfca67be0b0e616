/**
 * Real k6 in its container against the real API in its container, at small scale: the three
 * scenarios, a starved generator, and the target guard on a real network.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createDocker } from '@rightsize/compose/docker';
import { createOwner, ownerLabels, registerCleanup, requireDocker } from '@rightsize/compose/testing';
import { isLoadError } from '../src/errors.js';
import type { LoadOptionsInput } from '../src/options.js';
import { runLoad } from '../src/runner.js';
import { API_IMAGE, K6_IMAGE, startApi, type ApiUnderTest } from './helpers/api-container.js';
import { assertRunAddsUp, tempDir } from './helpers/run-checks.js';

const SMALL = { startUsers: 10, maxUsers: 20, stepUsers: 10, rampS: 1, holdS: 3, thinkMinS: 0.2, thinkMaxS: 0.5, rates: [30, 60] };

function onNetwork(api: ApiUnderTest, over: Partial<LoadOptionsInput> = {}): LoadOptionsInput {
  return {
    target: api.serviceUrl,
    schedule: SMALL,
    checkEvery: 5,
    generator: { runtime: 'docker', cpus: 1, memory: '512m', network: api.network, networkOwner: api.owner },
    ...over,
  };
}

describe('k6 in its container against the API in its container', () => {
  for (const scenario of ['steps', 'arrival', 'poisson'] as const) {
    test(`the ${scenario} scenario's per-step counts add up and match the API's /metrics within 0.5 %`, async (t) => {
      if (!(await requireDocker(t, { images: [API_IMAGE, K6_IMAGE] }))) return;
      const api = await startApi(t, `load-k6-${scenario}`);
      const out = await tempDir(t);
      const before = await api.predictCount();
      const liveP95: { step: number; p95: number }[] = [];
      const { summaryPath, summary } = await runLoad(onNetwork(api, { scenario, outDir: out }), {
        docker: api.docker,
        onEvent: (e) => {
          if (e.type === 'progress' && e.p95Ms !== null && e.step) liveP95.push({ step: e.step.index, p95: e.p95Ms });
        },
      });
      const counted = (await api.predictCount()) - before;
      await assertRunAddsUp(summaryPath, counted);
      assert.equal(summary.engine, 'k6');
      assert.equal(summary.scenario, scenario);
      assert.equal(summary.model, scenario === 'steps' ? 'closed' : 'open');
      assert.equal(summary.steps.length, 2);
      assert.equal(summary.aborted, false);
      assert.ok(summary.steps.every((s) => s.generator.cpu_pct_avg !== null && s.generator.mem_mb_max !== null), 'generator health sampled per step');
      // live progress carries the running step's p95 so far, from k6's step sub-metric: never above that step's final max
      assert.ok(liveP95.length > 0, 'progress events carried a live p95');
      for (const { step, p95 } of liveP95) assert.ok(p95 > 0 && p95 <= summary.steps[step]!.latency_ms.max, `step ${step}: live p95 ${p95} ms, final max ${summary.steps[step]!.latency_ms.max} ms`);
      if (scenario !== 'steps') {
        // a sanity bound only: Poisson counts over a 3 s step vary by about 10 %
        for (const s of summary.steps) assert.ok(s.generator.achieved_ratio! > 0.6, `step ${s.index} achieved ${s.generator.achieved_ratio}`);
      }
    });
  }

  test('a generator starved of CPU is reported invalid, not as the API failing', async (t) => {
    if (!(await requireDocker(t, { images: [API_IMAGE, K6_IMAGE] }))) return;
    const api = await startApi(t, 'load-k6-starved');
    const out = await tempDir(t);
    // no think time: k6 uses all the CPU it is given, and it is given a tenth of a core
    const { summary } = await runLoad(
      onNetwork(api, {
        schedule: { startUsers: 20, maxUsers: 20, stepUsers: 10, rampS: 1, holdS: 6, thinkMinS: 0, thinkMaxS: 0 },
        generator: { runtime: 'docker', cpus: 0.1, memory: '512m', network: api.network, networkOwner: api.owner },
        outDir: out,
        graceS: 120,
      }),
      { docker: api.docker },
    );
    const step = summary.steps[0]!;
    assert.equal(step.generator.valid, false, JSON.stringify(step.generator));
    assert.ok(step.generator.reasons.some((r) => /generator cpu .* > 80% of its share/.test(r)), step.generator.reasons.join('; '));
    assert.equal(step.errors.total, 0, 'the API answered every request it got');
  });

  test('a service name on a network this run did not create is refused', async (t) => {
    if (!(await requireDocker(t))) return;
    const docker = createDocker();
    const owner = createOwner('load-guard');
    registerCleanup(t, owner, { docker });
    await docker.networkCreate({ name: owner, labels: ownerLabels(owner) });
    await assert.rejects(
      runLoad({ target: 'http://api:8000', schedule: SMALL, generator: { runtime: 'docker', network: owner, networkOwner: 'rs-someone-else' } }, { docker }),
      (err: unknown) => isLoadError(err, 'LOAD_ERR_TARGET_REFUSED') && /is not this run's/.test(err.message),
    );
    await assert.rejects(
      runLoad({ target: 'http://api:8000', schedule: SMALL, generator: { runtime: 'docker', network: owner, networkOwner: owner } }, { docker }),
      (err: unknown) => isLoadError(err, 'LOAD_ERR_TARGET_REFUSED') && /no container or service named "api"/.test(err.message),
    );
  });
});
