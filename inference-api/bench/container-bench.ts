// What bench:api-cost and bench:api-profile share: the docker CLI, vegeta (an open-model
// constant-rate generator), a free loopback port, waiting for a 200, and the request body (one
// held-out row of the default model, as the load tests send it).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const run = promisify(execFile);
export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(BENCH_DIR, '../..');
export const DEFAULT_IMAGE = 'rightsize/rightsize-api:0.1.0';

/** vegeta on PATH or in ~/go/bin; exits 2 saying how to install it otherwise. */
export function findVegeta(bench: string): string {
  for (const dir of [...(process.env.PATH ?? '').split(':'), path.join(homedir(), 'go', 'bin')]) {
    if (dir && existsSync(path.join(dir, 'vegeta'))) return path.join(dir, 'vegeta');
  }
  console.error(`${bench}: vegeta is not installed: go install github.com/tsenart/vegeta/v12@v12.13.0 (lands in ~/go/bin)`);
  process.exit(2);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export async function waitReady(url: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.status === 200, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s`);
}

/** Writes body.json (one held-out row) and a vegeta targets file POSTing it to `url`/predict into `work`; returns the targets file. */
export async function writeTargets(work: string, url: string): Promise<string> {
  const payloads = JSON.parse(await readFile(path.join(REPO, 'loadtest', 'data', 'payloads.json'), 'utf8')) as { rows: Record<string, number>[] };
  const body = path.join(work, 'body.json');
  await writeFile(body, JSON.stringify(payloads.rows[0]));
  const targets = path.join(work, `targets-${url.replace(/\W+/g, '_')}.txt`);
  await writeFile(targets, `POST ${url}/predict\nContent-Type: application/json\n@${body}\n`);
  return targets;
}
