/**
 * The local runtime: the engine's executable as a child process (see process.ts), its CPU and
 * memory sampled from /proc. A multi-threaded engine is judged against the cores it may use, a
 * single-threaded one process by process against one core each.
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { LoadError } from '../errors.js';
import { readProc, startProcSampler } from '../sampling/proc-sampler.js';
import type { OnSample } from '../sampling/types.js';
import { spawnEngine } from './process.js';
import type { EngineContext, GeneratorEngine, LaunchedEngine, OnEngineLine } from './types.js';

const run = promisify(execFile);

/** The engine's executable, or null when there is none. */
export async function findBinary(engine: GeneratorEngine): Promise<string | null> {
  const { configured, candidates } = engine.localBinary();
  if (configured) return configured;
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

export async function launchLocal(
  engine: GeneratorEngine,
  input: Omit<EngineContext, 'rawSummary'> & { onLine: OnEngineLine; onSample: OnSample },
): Promise<LaunchedEngine> {
  const bin = await findBinary(engine);
  if (!bin) throw new LoadError('LOAD_ERR_ENGINE_MISSING', engine.noBinary);
  const version = engine.parseVersion((await run(bin, engine.versionArgs)).stdout) ?? 'unknown';
  const rawPath = path.join(input.outDir, 'raw.json');
  const command = await engine.local({ options: input.options, schedule: input.schedule, rawSummary: rawPath, payloads: input.payloads, outDir: input.outDir, share: input.share });
  const child = await spawnEngine({ file: bin, args: command.args, env: command.env, cwd: command.cwd, onLine: (line) => input.onLine(line), stopSignal: engine.stopSignal });
  const sampler = startProcSampler({ pid: child.pid, includeChildren: command.forks, coresPerProcess: engine.singleThreaded ? 1 : undefined, onSample: input.onSample });
  const cpuShare = engine.singleThreaded ? 1 : ((await readProc(child.pid))?.cores ?? 1);
  return {
    runtime: 'local',
    engineVersion: version,
    rawPath,
    liveUrl: command.liveUrl,
    done: child.done.then((r) => r.code),
    interrupt: () => child.interrupt(),
    sampler,
    cpuShare,
    cleanup: async () => {
      child.interrupt(engine.cleanupGraceMs);
      await child.done;
    },
  };
}
