/**
 * Runs an external program without a shell (execFile / spawn) and turns failures into
 * CommandError with the command line and stderr. The only place in this workspace that
 * starts processes, so timeouts and error shapes are the same for docker, compose, go, etc.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { CommandError } from './errors.js';

export interface ExecOptions {
  /** Extra environment on top of the inherited one (undefined values unset a variable). */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Kill the process after this long (ms). Default: none. */
  timeoutMs?: number;
  /** Written to stdin, then stdin is closed (e.g. `docker login --password-stdin`). */
  input?: string | Buffer;
  /** Hint appended to the error message (what to do). */
  hint?: string;
  maxBufferBytes?: number;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
}

/** The child's environment: ours plus overrides. Passing the environment through is not configuration. */
export function childEnv(extra?: Record<string, string | undefined>): NodeJS.ProcessEnv {
  if (!extra) return process.env;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function exec(file: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      {
        env: childEnv(opts.env),
        cwd: opts.cwd,
        timeout: opts.timeoutMs ?? 0,
        killSignal: 'SIGKILL',
        maxBuffer: opts.maxBufferBytes ?? 64 * 1024 * 1024,
        encoding: 'utf8',
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr });
        const e = error as NodeJS.ErrnoException & { code?: unknown; killed?: boolean; signal?: string | null };
        const command = [file, ...args];
        if (e.code === 'ENOENT') {
          return reject(
            new CommandError({
              code: 'DOCKER_ERR_NOT_INSTALLED',
              command,
              exitCode: null,
              signal: null,
              stdout,
              stderr: `${file}: not found on PATH`,
              hint: opts.hint ?? `Install ${file} (Debian: apt-get install -y docker.io docker-compose).`,
              cause: error,
            }),
          );
        }
        const timedOut = Boolean(e.killed) && opts.timeoutMs !== undefined && opts.timeoutMs > 0;
        reject(
          new CommandError({
            code: timedOut ? 'DOCKER_ERR_TIMEOUT' : 'DOCKER_ERR_COMMAND',
            command,
            exitCode: typeof e.code === 'number' ? e.code : null,
            signal: e.signal ?? null,
            stdout,
            stderr: timedOut ? `${stderr}\n(timed out after ${opts.timeoutMs} ms)` : stderr,
            hint: opts.hint,
            cause: error,
          }),
        );
      },
    );
    writeInput(child, opts.input);
  });
}

function writeInput(child: ChildProcess, input: string | Buffer | undefined): void {
  if (!child.stdin) return;
  // A child that exits before reading stdin would otherwise raise EPIPE as an uncaught error.
  child.stdin.on('error', () => {});
  if (input !== undefined) child.stdin.end(input);
  else child.stdin.end();
}

export interface LineStream {
  /** Resolves when the process ends (never rejects; see `exitCode`). */
  readonly done: Promise<{ exitCode: number | null; signal: string | null; stderr: string }>;
  /** Stops the process (SIGTERM, then SIGKILL after 1.5 s) and waits for it. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts a long-running command and calls `onLine` for each stdout line (e.g. `docker stats`). */
export function streamLines(
  file: string,
  args: string[],
  onLine: (line: string) => void,
  opts: Pick<ExecOptions, 'env' | 'cwd'> & { onStderrLine?: (line: string) => void } = {},
): LineStream {
  const child = spawn(file, args, { env: childEnv(opts.env), cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let buffered = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      onLine(line);
    }
  });
  child.stderr.setEncoding('utf8');
  let errBuffered = '';
  child.stderr.on('data', (chunk: string) => {
    // Keep the tail only: a stream can run for an hour.
    stderr = (stderr + chunk).slice(-8192);
    if (!opts.onStderrLine) return;
    errBuffered += chunk;
    let nl: number;
    while ((nl = errBuffered.indexOf('\n')) >= 0) {
      opts.onStderrLine(errBuffered.slice(0, nl));
      errBuffered = errBuffered.slice(nl + 1);
    }
  });
  const done = new Promise<{ exitCode: number | null; signal: string | null; stderr: string }>((resolve) => {
    child.on('error', (err) => resolve({ exitCode: null, signal: null, stderr: `${stderr}${String(err)}` }));
    child.on('close', (exitCode, signal) => {
      if (buffered) onLine(buffered);
      resolve({ exitCode, signal, stderr });
    });
  });
  return {
    done,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        // `docker stats` (28.x CLI) ignores SIGTERM: escalate after a short grace period.
        const escalate = setTimeout(() => child.kill('SIGKILL'), 1500);
        escalate.unref();
        await done;
        clearTimeout(escalate);
      }
      await done;
    },
  };
}
