// Real processes for tests: the API server (as `npm start` runs it), `mlflow models serve` and
// `mlflow server`. Each is killed (its whole process group) by the test that started it, even
// when the test fails. Ports come from the OS (port 0), never fixed.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { TestContext } from 'node:test';
import { EnvSchema } from '../../src/config.js';
import { REPO, SERVER_TS, requireVenv } from './paths.js';

type Teardown = Pick<TestContext, 'after'>;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** The inherited environment without any API variable, so the host's settings cannot leak in. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(EnvSchema.shape)) delete env[key];
  return { ...env, ...extra };
}

export interface Started {
  child: ChildProcess;
  output: () => string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function launch(t: Teardown, command: string, args: string[], env: NodeJS.ProcessEnv): Started {
  const child = spawn(command, args, { cwd: REPO, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
    }
  });
  return { child, output: () => out, exited };
}

async function waitFor(what: string, started: Started, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (started.child.exitCode !== null) throw new Error(`${what} exited with ${started.child.exitCode}:\n${started.output().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs} ms:\n${started.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface ApiProcess extends Started {
  url: string;
}

/** `node --import tsx inference-api/src/server.ts` with PORT=0; resolves once it logs its address. */
export async function startApi(t: Teardown, env: Record<string, string> = {}, timeoutMs = 30_000): Promise<ApiProcess> {
  const started = launch(t, process.execPath, ['--import', 'tsx', SERVER_TS], cleanEnv({ PORT: '0', HOST: '127.0.0.1', ...env }));
  let url = '';
  await waitFor('the API server', started, () => {
    const m = /rightsize-api listening on (http:\/\/[^"\s]+)/.exec(started.output());
    if (m) url = m[1]!;
    return url !== '';
  }, timeoutMs);
  return { ...started, url };
}

/** Runs the API expecting it to fail at startup; resolves with its exit code and output. */
export async function runApiExpectingExit(t: Teardown, env: Record<string, string>, timeoutMs = 30_000) {
  const started = launch(t, process.execPath, ['--import', 'tsx', SERVER_TS], cleanEnv({ PORT: '0', HOST: '127.0.0.1', ...env }));
  const timer = setTimeout(() => started.child.kill('SIGKILL'), timeoutMs);
  const result = await started.exited;
  clearTimeout(timer);
  return { ...result, output: started.output() };
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** `mlflow models serve` on a local model folder, one worker, loopback. */
export async function startMlflowServe(t: Teardown, modelDir: string, timeoutMs = 90_000): Promise<{ url: string } & Started> {
  const bin = requireVenv();
  const port = await freePort();
  const started = launch(t, `${bin}/mlflow`, ['models', 'serve', '-m', modelDir, '--env-manager', 'local', '-h', '127.0.0.1', '-p', String(port), '-w', '1'], {
    ...process.env,
    PATH: `${bin}:${process.env['PATH'] ?? ''}`,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor('mlflow models serve', started, () => httpOk(`${url}/ping`), timeoutMs);
  return { ...started, url };
}

/** A real MLflow tracking server: sqlite backend, local artifact store, artifact proxy. */
export async function startMlflowServer(t: Teardown, stateDir: string, timeoutMs = 90_000): Promise<{ url: string } & Started> {
  const bin = requireVenv();
  const port = await freePort();
  const started = launch(
    t,
    `${bin}/python`,
    ['-m', 'mlflow', 'server', '--host', '127.0.0.1', '--port', String(port), '--backend-store-uri', `sqlite:///${stateDir}/mlflow.db`,
      '--artifacts-destination', `${stateDir}/artifacts`, '--serve-artifacts', '--workers', '1'],
    { ...process.env, MLFLOW_TRACKING_URI: '', PATH: `${bin}:${process.env['PATH'] ?? ''}` },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor('mlflow server', started, () => httpOk(`${url}/health`), timeoutMs);
  return { ...started, url };
}

/** Runs a command to completion (for training/registration); rejects with its output on failure. */
export async function run(t: Teardown, command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 180_000): Promise<string> {
  const started = launch(t, command, args, env);
  const timer = setTimeout(() => started.child.kill('SIGKILL'), timeoutMs);
  const { code } = await started.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}:\n${started.output().slice(-4000)}`);
  return started.output();
}
