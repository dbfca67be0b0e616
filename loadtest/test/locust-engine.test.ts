/**
 * Real Locust in containers against the real API in its container: one process, then the
 * distributed mode (a master and two workers), both converted into the same per-step summary.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { requireDocker } from '@rightsize/compose/testing';
import { runLoad } from '../src/runner.js';
import { API_IMAGE, LOCUST_IMAGE, startApi } from './helpers/api-container.js';
import { assertRunAddsUp, tempDir } from './helpers/run-checks.js';

const SMALL = { startUsers: 10, maxUsers: 20, stepUsers: 10, rampS: 1, holdS: 3, thinkMinS: 0.2, thinkMaxS: 0.5 };

describe('Locust in containers against the API in its container', () => {
  for (const workers of [0, 2]) {
    test(`${workers === 0 ? 'one Locust process' : 'a master with 2 workers'}: per-step counts add up and match the API's /metrics within 0.5 %`, async (t) => {
      if (!(await requireDocker(t, { images: [API_IMAGE, LOCUST_IMAGE] }))) return;
      const api = await startApi(t, `load-locust-${workers}`);
      const before = await api.predictCount();
      const outDir = await tempDir(t);
      const { summaryPath, summary } = await runLoad(
        {
          engine: 'locust',
          target: api.serviceUrl,
          schedule: SMALL,
          checkEvery: 5,
          generator: { runtime: 'docker', cpus: 0.5, memory: '512m', network: api.network, networkOwner: api.owner, workers },
          outDir,
        },
        { docker: api.docker },
      );
      await assertRunAddsUp(summaryPath, (await api.predictCount()) - before);
      assert.equal(summary.engine, 'locust');
      assert.equal(summary.engine_version, '2.47.0');
      assert.equal(summary.steps.length, 2);
      assert.deepEqual(summary.think_time_s, { min: 0.2, max: 0.5 });
      assert.ok(summary.steps.every((s) => s.generator.cpu_pct_avg !== null), 'generator health sampled per step');
      const samples = (await readFile(path.join(outDir, 'samples.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { source: string });
      assert.equal(new Set(samples.map((s) => s.source)).size, workers + 1, 'every Locust container was sampled');
    });
  }

  test('an interrupted Locust run stops at once and still writes its per-step results', async (t) => {
    if (!(await requireDocker(t, { images: [API_IMAGE, LOCUST_IMAGE] }))) return;
    const api = await startApi(t, 'load-locust-stop');
    const controller = new AbortController();
    const started = Date.now();
    const { summary } = await runLoad(
      {
        engine: 'locust',
        target: api.serviceUrl,
        schedule: { ...SMALL, holdS: 6 },
        generator: { runtime: 'docker', cpus: 0.5, memory: '512m', network: api.network, networkOwner: api.owner },
        outDir: await tempDir(t),
      },
      { docker: api.docker, signal: controller.signal, onEvent: (e) => e.type === 'progress' && e.step?.index === 1 && e.elapsedS! > 9 && controller.abort() },
    );
    assert.equal(summary.aborted, true);
    assert.match(summary.abort_reason!, /^interrupted/);
    assert.deepEqual(summary.steps.map((s) => s.completed), [true, false]);
    assert.ok(summary.steps[1]!.requests > 0);
    assert.ok(Date.now() - started < 25_000, 'stopped within seconds, not killed after the grace period');
  });
});
