/**
 * Starts a local engine process (k6 or Locust) without a shell, streams its output line by
 * line, and stops it politely first (SIGINT for k6, SIGTERM for Locust: both then stop the test
 * and still write their results), SIGKILL if it does not exit within `killAfterMs`.
 */
import { spawn } from 'node:child_process';
import { LoadError } from '../errors.js';

export interface EngineProcess {
  pid: number;
  /** exit code, or null when killed by a signal */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  interrupt(killAfterMs?: number): void;
}

export interface SpawnOptions {
  file: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  onLine: (line: string, stream: 'stdout' | 'stderr') => void;
  /** the polite stop: SIGINT for k6; SIGTERM for Locust, whose SIGTERM handler writes results */
  stopSignal?: NodeJS.Signals;
}

export function spawnEngine(opts: SpawnOptions): Promise<EngineProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(opts.file, opts.args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a terminal's Ctrl-C reaches only us, and we pass on exactly one
      // polite signal (k6 treats a second SIGINT as "stop now, write nothing").
      detached: true,
    });
    // ...but it must not outlive us if we exit hard
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const split = (stream: 'stdout' | 'stderr') => {
      let buffer = '';
      return (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) opts.onLine(line.replace(/\r$/, ''), stream);
      };
    };
    child.stdout.on('data', split('stdout'));
    child.stderr.on('data', split('stderr'));
    const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
      child.on('close', (code, signal) => {
        process.removeListener('exit', killOnExit);
        res({ code, signal });
      }),
    );
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new LoadError('LOAD_ERR_ENGINE_MISSING', `${opts.file}: not found. Install it or point the RIGHTSIZE_*_BIN variable at it.`)
          : err,
      );
    });
    child.once('spawn', () => {
      let killTimer: NodeJS.Timeout | undefined;
      void done.then(() => clearTimeout(killTimer));
      resolve({
        pid: child.pid!,
        done,
        interrupt(killAfterMs = 15_000) {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill(opts.stopSignal ?? 'SIGINT');
          killTimer ??= setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        },
      });
    });
  });
}
