// Entry point: `node inference-api/dist/server.js` (image) or `npm start` (tsx). Parses the
// environment once, reads the container's CPU/memory limits, then runs the server in a worker
// thread whose V8 heap is sized from them (launcher.ts explains why), or, with HEAP_LIMIT_MB=off
// or an explicit --max-old-space-size, right here with V8's defaults.
import { availableParallelism, totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { applyLibraryEnvironment, loadConfig } from './config.js';
import { deriveSizing, readCgroupLimits } from './limits.js';
import { runInWorker } from './launcher.js';

const config = loadConfig();
applyLibraryEnvironment(config);
const cgroup = await readCgroupLimits(config.runtime.cgroupRoot);
const sizing = deriveSizing({
  cgroup,
  availableParallelism: availableParallelism(),
  constrainedMemoryBytes: typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : undefined,
  totalMemoryBytes: totalmem(),
  intraOpThreads: config.runtime.intraOpThreads,
  interOpThreads: config.runtime.interOpThreads,
  heapLimitMb: config.runtime.heapLimitMb,
  heapFraction: config.runtime.heapFraction,
});

// --max-old-space-size given to node directly (or via NODE_OPTIONS) wins over our own sizing.
const explicitHeapFlag = process.execArgv.some((a) => a.startsWith('--max-old-space-size')) || config.runtime.nodeOptions.includes('--max-old-space-size');
if (config.runtime.heapLimitMb !== 'off' && !explicitHeapFlag) {
  runInWorker({ config, sizing }, { oldGenerationMb: sizing.heapLimitMb, youngGenerationMb: config.runtime.youngGenerationMb });
} else {
  const applied = { ...sizing, heapLimitMb: explicitHeapFlag ? Math.round(getHeapStatistics().heap_size_limit / 2 ** 20) : null };
  // Imported only here: in worker mode the main thread never loads Fastify, zod schemas or ORT.
  const { runServer } = await import('./run.js');
  await runServer({
    config,
    sizing: applied,
    mode: 'main',
    onShutdownRequest: (handler) => {
      process.once('SIGTERM', () => handler('SIGTERM'));
      process.once('SIGINT', () => handler('SIGINT'));
    },
  });
}
