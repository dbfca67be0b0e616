/**
 * The live page/API under test without Docker: a session whose sweeps run the synthetic trial
 * executor (real engine, store, summary and reports; trials that take `trialMs` and stop at once
 * when aborted) in a temporary reports folder, and an app built around it for app.inject().
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { configKey } from '../../../src/core/config-space.js';
import type { TrialExecutor } from '../../../src/engine/trial-executor.js';
import { createSweep } from '../../../src/engine/sweep-engine.js';
import { abortedError } from '../../../src/errors.js';
import { createLoadPort, type RunLoadFn } from '../../../src/adapters/load-port.js';
import { createRunStore } from '../../../src/results/run-store.js';
import { RUN_SCHEMA_ID, type RunMeta } from '../../../src/results/trial-record.js';
import { makeRunId, resolveRunDir } from '../../../src/run-setup.js';
import { buildWebApp } from '../../../src/web/app.js';
import { createSession, type Session } from '../../../src/web/session.js';
import { parseWebOptions, type WebOptionsInput } from '../../../src/web/web-options.js';
import type { BalancerSource, SweepFactory } from '../../../src/web/web-ports.js';
import { createSyntheticExecutor } from '../../support/synthetic-executor.js';

/** a small plan the synthetic executor answers: r1 holds 200 users from 0.5 CPU, r2 from 0.25 */
export const SMALL_PLAN = {
  name: 'web-test',
  load: { users: { from: 100, to: 300, step: 100 } },
  candidates: { replicas: [1, 2], cpus: [0.25, 0.5, 1], memory: ['256m'] },
};

function slow(executor: TrialExecutor, trialMs: number): TrialExecutor {
  return {
    cleanupStale: () => executor.cleanupStale(),
    async run(spec, hooks, signal) {
      hooks.phase('up', 'synthetic stack');
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, trialMs);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          hooks.phase('down', 'aborted');
          reject(abortedError(signal.reason));
        }, { once: true });
      });
      return executor.run(spec, hooks, signal);
    },
  };
}

export function syntheticFactory(reportsRoot: string, trialMs: number): SweepFactory {
  const capacity = new Map<string, number>();
  for (const cpus of [0.25, 0.5, 1]) {
    capacity.set(configKey({ replicas: 1, cpus, memory_mib: 256 }), cpus >= 0.5 ? 300 : 100);
    capacity.set(configKey({ replicas: 2, cpus, memory_mib: 256 }), 300);
  }
  return async (request, signal) => {
    const dir = request.kind === 'resume' ? await resolveRunDir(request.run, reportsRoot) : path.join(reportsRoot, request.runId ?? makeRunId(request.plan.name));
    const store = createRunStore({ dir });
    const meta: RunMeta | undefined =
      request.kind === 'new'
        ? { schema: RUN_SCHEMA_ID, run_id: path.basename(dir), created_at: new Date().toISOString(), plan_source: request.source, plan: request.plan, machine: { hostname: 'test', cores: 2, mem_mib: 1024, node: process.version, docker: null, compose: null, loadavg_1m: 0 }, git_commit: null }
        : undefined;
    const runMeta = meta ?? (await store.readMeta());
    const sweep = createSweep({ store, ...(meta ? { meta } : {}), executor: slow(createSyntheticExecutor({ capacity }), trialMs), signal });
    return { sweep, runId: runMeta.run_id, dir, plan: runMeta.plan, owner: null, dispose: async () => undefined };
  };
}

export const noBalancer: BalancerSource = { setOwner: () => undefined, read: async () => null, describe: () => 'nothing (test)' };

export const refuseLoad: RunLoadFn = async () => {
  throw new Error('this test starts no load');
};

export interface Kit {
  app: FastifyInstance;
  session: Session;
  reportsRoot: string;
}

export async function createKit(t: TestContext, options: { web?: Partial<WebOptionsInput>; trialMs?: number; runLoad?: RunLoadFn; balancer?: BalancerSource } = {}): Promise<Kit> {
  const reportsRoot = await mkdtemp(path.join(tmpdir(), 'rs-web-'));
  t.after(() => rm(reportsRoot, { recursive: true, force: true }));
  const web = parseWebOptions({ reportsRoot, ...options.web });
  const session = createSession({ options: web, factory: syntheticFactory(reportsRoot, options.trialMs ?? 0), load: createLoadPort({ runLoad: options.runLoad ?? refuseLoad }), balancer: options.balancer ?? noBalancer, log: () => undefined, tickMs: 200 });
  const app = await buildWebApp({ session, options: web });
  app.addHook('onClose', async () => session.close());
  t.after(() => app.close());
  return { app, session, reportsRoot };
}

export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
