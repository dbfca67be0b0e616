/**
 * k6 as a local process: the binary from RIGHTSIZE_K6_BIN, PATH, ~/go/bin (where
 * `go install go.k6.io/k6@v1.8.1` puts it) or the image builder's cache. Its CPU and memory are
 * sampled from /proc.
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { getLoadEnv } from '../config.js';
import { fallbackK6Paths } from '../paths.js';
import { LoadError } from '../errors.js';
import type { LoadOptions } from '../options.js';
import { readProc, startProcSampler } from '../sampling/proc-sampler.js';
import type { OnSample } from '../sampling/types.js';
import { freeLoopbackPort as freePort } from '@rightsize/compose/net';
import { k6Args, parseK6Version } from './k6-invocation.js';
import { spawnEngine } from './process.js';
import type { LaunchedEngine, OnEngineLine } from './types.js';

const run = promisify(execFile);

/** The k6 binary to use, or null when there is none. */
export async function findLocalK6(): Promise<string | null> {
  const env = getLoadEnv();
  if (env.RIGHTSIZE_K6_BIN) return env.RIGHTSIZE_K6_BIN;
  const dirs = [...(env.PATH ?? '').split(path.delimiter).filter(Boolean), ...(env.HOME ? [path.join(env.HOME, 'go', 'bin')] : [])];
  for (const candidate of [...dirs.map((d) => path.join(d, 'k6')), ...fallbackK6Paths()]) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return null;
}

export async function launchK6Local(opts: {
  options: Readonly<LoadOptions>;
  script: string;
  outDir: string;
  payloads: string | null;
  onLine: OnEngineLine;
  onSample: OnSample;
}): Promise<LaunchedEngine> {
  const bin = await findLocalK6();
  if (!bin) {
    throw new LoadError(
      'LOAD_ERR_ENGINE_MISSING',
      'no k6 binary: set RIGHTSIZE_K6_BIN, put k6 on PATH (go install go.k6.io/k6@v1.8.1), or use --runtime docker with the grafana/k6:1.8.1 image (npm run images -- --offline)',
    );
  }
  const version = parseK6Version((await run(bin, ['version'])).stdout) ?? 'unknown';
  const port = await freePort();
  const rawPath = path.join(opts.outDir, 'raw.json');
  const args = k6Args(opts.options, { script: opts.script, rawSummary: rawPath, payloads: opts.payloads, restAddress: `127.0.0.1:${port}` });
  const child = await spawnEngine({ file: bin, args, env: { K6_NO_USAGE_REPORT: 'true' }, onLine: (line) => opts.onLine(line) });
  const sampler = startProcSampler({ pid: child.pid, includeChildren: false, onSample: opts.onSample });
  const cpuShare = (await readProc(child.pid))?.cores ?? 1;
  return {
    runtime: 'local',
    engineVersion: version,
    rawPath,
    liveUrl: `http://127.0.0.1:${port}`,
    done: child.done.then((r) => r.code),
    interrupt: () => child.interrupt(),
    sampler,
    cpuShare,
    cleanup: async () => {
      child.interrupt(1000);
      await child.done;
    },
  };
}
