/**
 * The benchmark's target, pinned to core 0: HAProxy answering a constant prediction itself
 * (`http-request return`, C and epoll: far cheaper per request and per connection than any
 * generator), or, without HAProxy, a bare node:http server (target-server.ts). The node server
 * is the weaker fallback: on a busy core its accept queue overflows when thousands of users
 * connect at once, and the numbers then describe the target.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { freeLoopbackPort as freePort } from '@rightsize/compose/net';
import { LOADTEST_DIR } from '../src/paths.js';

const BODY = '{"label":"benign","probabilities":{"benign":0.9,"malignant":0.1},"model":{"name":"bench","version":"1"}}';

export interface Target {
  url: string;
  kind: 'haproxy' | 'node';
  /** connections the target can hold at once (null: as many as the OS lets node accept) */
  maxConnections: number | null;
  stop(): void;
}

export async function startTarget(workDir: string): Promise<Target> {
  return (await startHaproxy(workDir).catch(() => null)) ?? (await startNode());
}

/** the most connections HAProxy can hold under this process's file limit */
export function haproxyMaxConn(fdLimit: number): number {
  return Math.floor((fdLimit - 20) / 2); // maxsock = 2 x maxconn + 14
}

async function startHaproxy(workDir: string): Promise<Target> {
  const port = await freePort();
  const fdLimit = await hardFileLimit();
  const maxConn = haproxyMaxConn(fdLimit);
  const cfg = path.join(workDir, 'haproxy.cfg');
  await writeFile(
    cfg,
    [
      'global',
      // HAProxy reserves two descriptors per connection; 20,000 (the usual container/daemon hard
      // limit here, which only CAP_SYS_RESOURCE could raise) gives 9,990 connections
      `  maxconn ${maxConn}`,
      `  ulimit-n ${fdLimit}`,
      '  nbthread 1',
      'defaults',
      '  mode http',
      '  timeout client 120s',
      '  timeout http-keep-alive 120s',
      'frontend bench',
      `  bind 127.0.0.1:${port} backlog 4096`,
      `  http-request return status 200 content-type application/json string '${BODY}'`,
      '',
    ].join('\n'),
  );
  const child = spawn('taskset', ['-c', '0', 'haproxy', '-f', cfg, '-db'], { stdio: 'ignore' });
  await waitForPort(port, child);
  return { url: `http://127.0.0.1:${port}`, kind: 'haproxy', maxConnections: maxConn, stop: () => child.kill('SIGTERM') };
}

async function startNode(): Promise<Target> {
  const child = spawn('taskset', ['-c', '0', process.execPath, '--import', 'tsx', path.join(LOADTEST_DIR, 'bench', 'target-server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  return { url: `http://127.0.0.1:${port}`, kind: 'node', maxConnections: null, stop: () => child.kill('SIGTERM') };
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode})`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('haproxy did not listen');
}

async function hardFileLimit(): Promise<number> {
  const out = await new Promise<string>((resolve) => {
    const c = spawn('sh', ['-c', 'ulimit -Hn'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    c.stdout!.on('data', (d: Buffer) => (text += d.toString()));
    c.on('close', () => resolve(text.trim()));
  });
  const n = Number(out);
  return Number.isFinite(n) && n > 0 ? Math.min(n, 1_000_000) : 20_000;
}
