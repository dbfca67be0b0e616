/**
 * The pacer (loadtest/pacer/) as a generator engine: open-model load from one Node process, far
 * cheaper per request than k6. Locally it runs on this Node with tsx; in Docker on the node:24
 * image the API is built from (Node 24 strips the types itself), with the whole loadtest folder
 * mounted read-only (the pacer imports the k6 scripts' schedule, config, protocol and contract).
 * Live progress comes from its RS_LIVE lines; it is one thread, so its share is one core.
 */
import path from 'node:path';
import { getLoadEnv } from '../config.js';
import { LOADTEST_DIR } from '../paths.js';
import { k6Env } from './k6-invocation.js';
import type { EngineContext, GeneratorEngine } from './types.js';

const SCRIPTS_IN = '/rightsize/loadtest';
const SCRIPT = 'pacer/pacer.ts';

/** The pacer's environment: k6's RS_* variables plus its scenario, and its share of a split run. */
export function pacerEnv(ctx: Pick<EngineContext, 'options' | 'rawSummary' | 'payloads' | 'share'>): Record<string, string> {
  const share: Record<string, string> = ctx.share ? { RS_GENERATOR: `${ctx.share.index}/${ctx.share.count}`, RS_START_AT_MS: String(ctx.share.startAtMs) } : {};
  return { ...k6Env(ctx.options, ctx), RS_SCENARIO: ctx.options.scenario, ...share };
}

export const pacer: GeneratorEngine = {
  defaultImage: () => getLoadEnv().RIGHTSIZE_PACER_IMAGE,
  // this very Node: the pacer needs nothing else
  localBinary: () => ({ configured: process.execPath, candidates: [] }),
  noBinary: 'no node to run the pacer',
  localHint: 'this Node (the pacer runs on it with tsx)',
  versionArgs: ['--version'],
  parseVersion: (text) => /v(\d+\.\d+\.\d+)/.exec(text)?.[1] ?? null,
  // it stops offering load, waits for the requests in flight (up to the request timeout) and writes its result
  stopSignal: 'SIGTERM',
  stopGraceMs: 20_000,
  cleanupGraceMs: 2000,
  singleThreaded: true,

  async local(ctx) {
    return {
      args: ['--import', import.meta.resolve('tsx'), path.join(LOADTEST_DIR, SCRIPT)],
      env: pacerEnv(ctx),
      liveUrl: null,
      forks: false,
    };
  },

  async inContainers(ctx) {
    return {
      scripts: LOADTEST_DIR,
      scriptsIn: SCRIPTS_IN,
      imageUid: 1000,
      env: pacerEnv(ctx),
      entrypoint: 'node',
      containers: [{ name: 'pacer', command: ['--no-warnings', `${SCRIPTS_IN}/${SCRIPT}`] }],
      pinnedCpus: Math.min(ctx.options.generator.cpus, 1),
      live: null,
    };
  },
};
