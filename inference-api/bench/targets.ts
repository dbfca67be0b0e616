// The servers the bench compares, each started pinned to the server CPU and stopped by process
// group (only what the bench itself started).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const API_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO = join(API_DIR, '..');
export const DEFAULT_MODEL_DIR = join(REPO, 'model/artifacts/breast-cancer-gbt');
export const VENV_BIN = join(REPO, 'model/.venv/bin');

export interface RunningTarget {
  url: string;
  pgid: number;
  stop(): Promise<void>;
}

export interface TargetSpec {
  id: string;
  label: string;
  path: string;
  body: 'row' | 'mlflow-records';
  start(cpu: string): Promise<RunningTarget>;
}

function launch(cpu: string, command: string, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const child = spawn('taskset', ['-c', cpu, command, ...args], { cwd: REPO, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

async function waitUntil(what: string, p: { child: ChildProcess; output: () => string }, check: () => Promise<string | null> | string | null): Promise<string> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const url = await check();
    if (url) return url;
    if (p.child.exitCode !== null) throw new Error(`${what} exited with ${p.child.exitCode}:\n${p.output().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`${what} did not start:\n${p.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    process.kill(-child.pid!, 'SIGTERM');
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, 10_000);
    await exited;
    clearTimeout(timer);
  };
}

const apiEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
  PATH: process.env['PATH'],
  HOME: process.env['HOME'],
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
  ...extra,
});

export function api(id: string, label: string, path: string, body: TargetSpec['body'], env: Record<string, string>): TargetSpec {
  return {
    id,
    label,
    path,
    body,
    async start(cpu) {
      // The compiled server, as the image runs it (run.ts builds dist/ first).
      const p = launch(cpu, process.execPath, [join(API_DIR, 'dist/server.js')], apiEnv(env));
      const url = await waitUntil(label, p, () => /rightsize-api listening on (http:\/\/[0-9.:]+)/.exec(p.output())?.[1] ?? null);
      return { url, pgid: p.child.pid!, stop: stopper(p.child) };
    },
  };
}

function bare(id: string, label: string, file: string): TargetSpec {
  return {
    id,
    label,
    path: '/',
    body: 'row',
    async start(cpu) {
      const p = launch(cpu, process.execPath, ['--import', 'tsx', join(API_DIR, 'bench', file), DEFAULT_MODEL_DIR], { PATH: process.env['PATH'] });
      const url = await waitUntil(label, p, () => {
        const port = /listening (\d+)/.exec(p.output())?.[1];
        return port ? `http://127.0.0.1:${port}` : null;
      });
      return { url, pgid: p.child.pid!, stop: stopper(p.child) };
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const mlflowServe: TargetSpec = {
  id: 'mlflow-serve',
  label: '`mlflow models serve` -w 1 (/invocations, dataframe_records)',
  path: '/invocations',
  body: 'mlflow-records',
  async start(cpu) {
    const port = await freePort();
    const p = launch(cpu, join(VENV_BIN, 'mlflow'), ['models', 'serve', '-m', DEFAULT_MODEL_DIR, '--env-manager', 'local', '-h', '127.0.0.1', '-p', String(port), '-w', '1'], {
      ...process.env,
      PATH: `${VENV_BIN}:${process.env['PATH'] ?? ''}`,
    });
    const url = `http://127.0.0.1:${port}`;
    await waitUntil('mlflow models serve', p, async () => {
      try {
        return (await fetch(`${url}/ping`)).ok ? url : null;
      } catch {
        return null;
      }
    });
    return { url, pgid: p.child.pid!, stop: stopper(p.child) };
  },
};

export const TARGETS: TargetSpec[] = [
  api('predict-single', '/predict, one row, micro-batching off', '/predict', 'row', { MICRO_BATCHING: 'off' }),
  api('predict-batched', '/predict, one row, micro-batching on (max 64 rows, wait 0 = next turn)', '/predict', 'row', { MICRO_BATCHING: 'on', MICRO_BATCH_MAX_WAIT_MS: '0' }),
  api('predict-batched-wait1', '/predict, one row, micro-batching on (max 64 rows, wait 1 ms)', '/predict', 'row', { MICRO_BATCHING: 'on', MICRO_BATCH_MAX_WAIT_MS: '1' }),
  api('invocations', '/invocations on our API (dataframe_records, micro-batching on)', '/invocations', 'mlflow-records', { MICRO_BATCHING: 'on' }),
  bare('bare-inference', 'bare node:http + JSON.parse + one-row session.run (ceiling)', 'bare-inference-server.ts'),
  bare('bare-constant', 'bare node:http, constant JSON (HTTP floor)', 'bare-constant-server.ts'),
  mlflowServe,
];

/** CPU seconds (user + system) used so far by every process in the group (clock ticks of 1/100 s). */
export function groupCpuSeconds(pgid: number): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid || stat.includes('(esbuild)')) continue;
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // process ended while reading
    }
  }
  return ticks / 100;
}

/** RSS of every process in the group (uvicorn workers count), in MB; tsx's esbuild helper does not. */
export function groupRssMb(pgid: number): number {
  let kb = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid || stat.includes('(esbuild)')) continue;
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      // process ended while reading
    }
  }
  return kb / 1024;
}
