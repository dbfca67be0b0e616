// Builds apps for inject()-based tests: config from an env-like record, fixed sizing, teardown
// registered with the test that asked for it.
import type { TestContext } from 'node:test';
import { buildApp, type App } from '../../src/app.js';
import { parseConfig, type Config } from '../../src/config.js';
import type { Sizing } from '../../src/limits.js';
import type { LoadedModel } from '../../src/model/load-model.js';
import { loadModel } from '../../src/model/load-model.js';

export const TEST_SIZING: Sizing = {
  cpus: 1,
  intraOpThreads: 1,
  interOpThreads: 1,
  memoryLimitBytes: null,
  heapLimitMb: null,
  cgroup: { version: 'none', cpuQuota: null, memoryLimitBytes: null, sources: [] },
};

export function testConfig(env: Record<string, string> = {}): Readonly<Config> {
  const result = parseConfig({ WARMUP_RUNS: '1', LOG_LEVEL: 'silent', ...env });
  if (!result.ok) throw new Error(`bad test config: ${result.problems.join('; ')}`);
  return result.config;
}

export async function createTestApp(t: Pick<TestContext, 'after'>, env: Record<string, string> = {}, model?: LoadedModel): Promise<App> {
  const app = await buildApp({ config: testConfig(env), sizing: TEST_SIZING, ...(model ? { model } : {}) });
  t.after(() => app.close());
  await app.ready();
  return app;
}

export async function loadTestModel(t: Pick<TestContext, 'after'>, env: Record<string, string> = {}): Promise<LoadedModel> {
  const model = await loadModel({ config: testConfig(env), sizing: TEST_SIZING });
  t.after(() => model.close());
  return model;
}

/**
 * Teardown for suite-level fixtures built in before(): call at describe() time; whatever is
 * registered through the returned scope is closed (last first) after the suite, pass or fail.
 */
export function suiteScope(after: (fn: () => Promise<void>) => void): Pick<TestContext, 'after'> {
  const fns: (() => unknown)[] = [];
  after(async () => {
    for (const fn of fns.reverse()) await fn();
  });
  return { after: ((fn: () => unknown) => void fns.push(fn)) as TestContext['after'] };
}
