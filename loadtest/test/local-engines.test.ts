/**
 * The local runtimes: a k6 binary and a Locust executable on this machine (sampled from /proc),
 * against the real API in its container published on loopback. Also: interrupting a run keeps
 * what was measured. Needs the binaries (RIGHTSIZE_K6_BIN / RIGHTSIZE_LOCUST_BIN or PATH);
 * missing ones fail under CI and are skipped loudly otherwise.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { getComposeEnv } from '@rightsize/compose/config';
import { requireDocker } from '@rightsize/compose/testing';
import { findLocalEngine } from '../src/engines/launch.js';
import { runLoad } from '../src/runner.js';
import { API_IMAGE, startApi } from './helpers/api-container.js';
import { assertRunAddsUp, tempDir } from './helpers/run-checks.js';

const SMALL = { startUsers: 10, maxUsers: 20, stepUsers: 10, rampS: 1, holdS: 3, thinkMinS: 0.2, thinkMaxS: 0.5 };

async function requireBinary(t: TestContext, name: string, found: string | null): Promise<boolean> {
  if (found) return true;
  const problem = `no local ${name}: install it (see loadtest/README.md) or set RIGHTSIZE_${name.toUpperCase()}_BIN`;
  const env = getComposeEnv();
  if (env.CI || env.RIGHTSIZE_REQUIRE_DOCKER) assert.fail(problem);
  process.stderr.write(`\n!!! SKIPPED "${t.name}": ${problem}\n`);
  t.skip(problem);
  return false;
}

describe('local engines against the API in its container', () => {
  for (const engine of ['k6', 'locust'] as const) {
    test(`a local ${engine} process: per-step counts add up and match the API's /metrics within 0.5 %`, async (t) => {
      if (!(await requireDocker(t, { images: [API_IMAGE] }))) return;
      if (!(await requireBinary(t, engine, await findLocalEngine(engine)))) return;
      const api = await startApi(t, `load-local-${engine}`);
      const before = await api.predictCount();
      const { summaryPath, summary } = await runLoad(
        { engine, target: api.hostUrl, schedule: SMALL, checkEvery: 5, generator: { runtime: 'local' }, outDir: await tempDir(t) },
        { docker: api.docker },
      );
      await assertRunAddsUp(summaryPath, (await api.predictCount()) - before);
      assert.equal(summary.engine, engine);
      assert.ok(summary.steps.every((s) => s.generator.cpu_pct_avg !== null && s.generator.mem_mb_max! > 0), 'the process was sampled from /proc');
    });
  }

  test('an interrupted run stops the engine and still summarizes what it measured', async (t) => {
    if (!(await requireDocker(t, { images: [API_IMAGE] }))) return;
    if (!(await requireBinary(t, 'k6', await findLocalEngine('k6')))) return;
    const api = await startApi(t, 'load-interrupt');
    const controller = new AbortController();
    const stopping: string[] = [];
    const { summary } = await runLoad(
      { target: api.hostUrl, schedule: { ...SMALL, holdS: 6 }, generator: { runtime: 'local' }, outDir: await tempDir(t) },
      {
        docker: api.docker,
        signal: controller.signal,
        onEvent: (e) => {
          // stop in the middle of the second step
          if (e.type === 'progress' && e.step?.index === 1 && e.elapsedS! > 9) controller.abort();
          if (e.type === 'stopping') stopping.push(e.reason);
        },
      },
    );
    assert.equal(stopping.length, 1);
    assert.equal(summary.aborted, true);
    assert.match(summary.abort_reason!, /^interrupted/);
    assert.deepEqual(summary.steps.map((s) => s.completed), [true, false]);
    assert.ok(summary.steps[1]!.requests > 0, 'the cut step kept its requests');
    assert.ok(summary.totals.duration_s < 13, `stopped early (${summary.totals.duration_s} s of 14)`);
  });
});
