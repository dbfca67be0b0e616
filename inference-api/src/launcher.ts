// Heap sizing without re-exec or NODE_OPTIONS. V8 fixes its heap limits when an isolate is
// created (v8.setFlagsFromString('--max-old-space-size') afterwards changes nothing; checked on
// Node 20), so the server runs in a worker thread created with resourceLimits: the old generation
// sized from the container's memory limit (limits.ts) and a small young generation (HEAP_YOUNG_MB;
// V8's default 16 MB semi-spaces add ~25 MB of RSS under load for little gain here). One process
// and one idle extra isolate (~5 MB) instead of a second Node process; the same on Node 20 and 24.
// The main thread forwards SIGTERM/SIGINT and exits with the worker's code; a heap overrun ends
// the worker with ERR_WORKER_OUT_OF_MEMORY, logged before exiting 1, instead of a V8 abort.
import { Worker } from 'node:worker_threads';
import type { Config } from './config.js';
import { writeFd } from './log-stream.js';
import type { Sizing } from './limits.js';

export interface WorkerPayload {
  config: Readonly<Config>;
  sizing: Sizing;
}

export interface HeapLimits {
  /** null = V8's default for this machine. */
  oldGenerationMb: number | null;
  youngGenerationMb: number;
}

export function runInWorker(payload: WorkerPayload, heap: HeapLimits): void {
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
    resourceLimits: {
      maxYoungGenerationSizeMb: heap.youngGenerationMb,
      ...(heap.oldGenerationMb === null ? {} : { maxOldGenerationSizeMb: heap.oldGenerationMb }),
    },
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
    const reason = err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `the V8 heap limit (${heap.oldGenerationMb ?? 'default'} MiB) was reached` : err.message;
    writeFd(2, `${JSON.stringify({ level: 50, time: Date.now(), service: 'rightsize-api', code: err.code, msg: `server stopped: ${reason}` })}\n`);
    if (err.stack && err.code !== 'ERR_WORKER_OUT_OF_MEMORY') writeFd(2, `${err.stack}\n`);
    process.exitCode = 1;
  });
  worker.on('exit', (code) => {
    process.exit(process.exitCode === 1 ? 1 : code);
  });
}
