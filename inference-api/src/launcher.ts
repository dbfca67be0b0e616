// Heap sizing without re-exec or NODE_OPTIONS: when a V8 heap limit applies (a memory limit was
// found, or HEAP_LIMIT_MB is set), the server runs in a worker thread created with
// resourceLimits.maxOldGenerationSizeMb. One process, one extra idle isolate (a few MB) instead
// of a second Node process; works the same on Node 20 and 24. The main thread forwards SIGTERM and
// SIGINT and exits with the worker's code; a heap overrun ends the worker with
// ERR_WORKER_OUT_OF_MEMORY, which is logged before exiting 1 (instead of a V8 abort).
import { Worker } from 'node:worker_threads';
import type { Config } from './config.js';
import type { Sizing } from './limits.js';

export interface WorkerPayload {
  config: Readonly<Config>;
  sizing: Sizing;
}

export function runInWorker(payload: WorkerPayload, heapLimitMb: number): void {
  const entry = new URL(import.meta.url.endsWith('.ts') ? './worker-entry.ts' : './worker-entry.js', import.meta.url);
  // Under tsx (dev, tests) the worker must register tsx's loader itself: --import hooks do not
  // reach worker threads on Node 20. The built image runs plain .js and skips this.
  const dev = entry.pathname.endsWith('.ts');
  const source = dev
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`
    : entry;
  const worker = new Worker(source, {
    eval: dev,
    workerData: payload,
    resourceLimits: { maxOldGenerationSizeMb: heapLimitMb },
  });
  let signals = 0;
  const forward = (signal: NodeJS.Signals) => {
    signals++;
    // A second signal means "now": skip the graceful path.
    if (signals > 1) void worker.terminate().then(() => process.exit(130));
    else worker.postMessage({ type: 'shutdown', signal });
  };
  process.on('SIGTERM', forward);
  process.on('SIGINT', forward);
  worker.on('error', (err: Error & { code?: string }) => {
    const reason = err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `the V8 heap limit (${heapLimitMb} MiB) was reached` : err.message;
    process.stderr.write(`${JSON.stringify({ level: 50, time: Date.now(), service: 'rightsize-api', code: err.code, msg: `server stopped: ${reason}` })}\n`);
    if (err.stack && err.code !== 'ERR_WORKER_OUT_OF_MEMORY') process.stderr.write(`${err.stack}\n`);
    process.exitCode = 1;
  });
  worker.on('exit', (code) => {
    process.exit(process.exitCode === 1 ? 1 : code);
  });
}
