/** bench/target-server.ts: a node:http server answering a constant prediction on loopback, stopped after the test. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { LOADTEST_DIR } from '../../src/paths.js';

const TARGET_SERVER = path.join(LOADTEST_DIR, 'bench', 'target-server.ts');

export async function startConstantTarget(t: TestContext): Promise<{ url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', TARGET_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('exit', (code) => reject(new Error(`the target server exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}` };
}
