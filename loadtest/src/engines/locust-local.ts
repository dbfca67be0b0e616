/**
 * Locust as local processes: one, or a master with N forked workers (`--processes N`), from
 * RIGHTSIZE_LOCUST_BIN or `locust` on PATH (pip install -r loadtest/locust/requirements.txt).
 * Each process is sampled from /proc against one core, its real share (gevent is one thread).
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Plan } from '../../k6/lib/plan.js';
import { getLoadEnv } from '../config.js';
import { fallbackLocustPaths } from '../paths.js';
import { LoadError } from '../errors.js';
import type { LoadOptions } from '../options.js';
import { startProcSampler } from '../sampling/proc-sampler.js';
import type { OnSample } from '../sampling/types.js';
import { locustArgs, locustEnv, parseLocustVersion } from './locust-invocation.js';
import { spawnEngine } from './process.js';
import type { LaunchedEngine, OnEngineLine } from './types.js';

const run = promisify(execFile);

export async function findLocalLocust(): Promise<string | null> {
  const env = getLoadEnv();
  if (env.RIGHTSIZE_LOCUST_BIN) return env.RIGHTSIZE_LOCUST_BIN;
  const candidates = [...(env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, 'locust')), ...fallbackLocustPaths()];
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return null;
}

export async function launchLocustLocal(opts: {
  options: Readonly<LoadOptions>;
  plan: Plan;
  locustDir: string;
  outDir: string;
  payloads: string | null;
  onLine: OnEngineLine;
  onSample: OnSample;
}): Promise<LaunchedEngine> {
  const bin = await findLocalLocust();
  if (!bin) {
    throw new LoadError(
      'LOAD_ERR_ENGINE_MISSING',
      'no locust executable: pip install -r loadtest/locust/requirements.txt (in a venv) and set RIGHTSIZE_LOCUST_BIN, or use --runtime docker with the locustio/locust:2.47.0 image',
    );
  }
  const version = parseLocustVersion((await run(bin, ['--version'])).stdout) ?? 'unknown';
  const rawPath = path.join(opts.outDir, 'raw.json');
  const env = locustEnv(opts.options, opts.plan, { rawSummary: rawPath, payloads: opts.payloads });
  const workers = opts.options.generator.workers;
  const args = locustArgs(opts.options, path.join(opts.locustDir, 'locustfile.py'), { role: 'standalone', processes: workers });
  const child = await spawnEngine({ file: bin, args, env, cwd: opts.outDir, onLine: (line) => opts.onLine(line), stopSignal: 'SIGTERM' });
  const sampler = startProcSampler({ pid: child.pid, includeChildren: workers > 0, coresPerProcess: 1, onSample: opts.onSample });
  return {
    runtime: 'local',
    engineVersion: version,
    rawPath,
    liveUrl: null,
    done: child.done.then((r) => r.code),
    interrupt: () => child.interrupt(),
    sampler,
    cpuShare: 1,
    cleanup: async () => {
      child.interrupt(2000);
      await child.done;
    },
  };
}
