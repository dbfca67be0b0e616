// The server inside a heap-limited worker thread (see launcher.ts).
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerPayload } from './launcher.js';
import { runServer } from './run.js';

const payload = workerData as WorkerPayload;
await runServer({
  ...payload,
  mode: 'worker',
  onShutdownRequest: (handler) => parentPort?.on('message', (m: { type?: string; signal?: string }) => m?.type === 'shutdown' && handler(m.signal ?? 'SIGTERM')),
});
