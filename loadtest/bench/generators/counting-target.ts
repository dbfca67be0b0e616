/**
 * The target every generator loads: bench/target-server.ts (node:http, a constant prediction),
 * pinned to its own core. It is chosen over bench/target.ts's HAProxy because it counts what it
 * answered (`GET /count`), so every generator's requests are counted the same way, by the
 * receiving end, inside the exact measurement window. (HAProxy's `http-request return` has no
 * counter without a stats socket, and HAProxy is not installed on every machine.)
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { LOADTEST_DIR } from '../../src/paths.js';

export interface CountingTarget {
  url: string;
  pid: number;
  /** requests answered so far (not counting /count itself) */
  count(): Promise<number>;
  stop(): void;
}

export async function startCountingTarget(core: number, timeoutMs = 20_000): Promise<CountingTarget> {
  const child = spawn('taskset', ['-c', String(core), process.execPath, '--import', 'tsx', path.join(LOADTEST_DIR, 'bench', 'target-server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  // SIGKILL: the server is stateless, and on SIGTERM it would wait out its keep-alive
  // connections (65 s each) while keeping this process alive through its stdout pipe
  const stop = () => {
    process.removeListener('exit', killOnExit);
    child.kill('SIGKILL');
    child.stdout?.destroy();
  };
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`target-server.ts printed no port within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`target-server.ts exited (${code})`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
  }).catch((err: unknown) => {
    stop();
    throw err;
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    pid: child.pid!,
    async count() {
      const res = await fetch(`${url}/count`, { signal: AbortSignal.timeout(5000) });
      return Number(await res.text());
    },
    stop,
  };
}
