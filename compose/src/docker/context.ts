/**
 * What every part of the Docker adapter shares: the docker CLI with its default environment and
 * timeout, label and filter arguments, the owner-label rule, and "already gone is fine" for
 * removals. Internal to compose/src (package.json does not export docker/*): callers get the
 * typed operations of docker.ts, never the command line.
 */
import { getComposeEnv } from '../config.js';
import { CommandError, RightsizeError } from '../errors.js';
import { exec, streamLines, type ExecOptions, type ExecResult, type LineStream } from '../exec.js';

/** Label every object we create carries; its value identifies the run/test that owns it. */
export const OWNER_LABEL = 'io.rightsize.owner';

export interface DockerOptions {
  /** docker CLI (default: RIGHTSIZE_DOCKER_BIN or `docker`). */
  bin?: string;
  /** Extra environment for every command (e.g. DOCKER_CONFIG for an isolated login). */
  env?: Record<string, string | undefined>;
  /** Default timeout per command, ms (default 120 s; builds/pulls pass their own). */
  timeoutMs?: number;
}

export interface DockerContext {
  bin: string;
  /** Runs one docker command; failures are CommandError with the command line and stderr. */
  cli(args: string[], extra?: ExecOptions): Promise<ExecResult>;
  /** Starts a long-running docker command, one callback per stdout line. */
  stream(args: string[], onLine: (line: string) => void): LineStream;
}

export function createDockerContext(options: DockerOptions = {}): DockerContext {
  const bin = options.bin ?? getComposeEnv().RIGHTSIZE_DOCKER_BIN ?? 'docker';
  const defaults: ExecOptions = { env: options.env, timeoutMs: options.timeoutMs ?? 120_000 };
  return {
    bin,
    cli: (args, extra = {}) => exec(bin, args, { ...defaults, ...extra }),
    stream: (args, onLine) => streamLines(bin, args, onLine, { env: options.env }),
  };
}

export const labelArgs = (labels: Record<string, string>): string[] => Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);

/** `--filter label=k=v` per label; a '' value matches any object carrying the label. */
export const filterArgs = (labels: Record<string, string>): string[] =>
  Object.entries(labels).flatMap(([k, v]) => ['--filter', v === '' ? `label=${k}` : `label=${k}=${v}`]);

export function requireOwner(labels: Record<string, string>, what: string): void {
  if (!labels[OWNER_LABEL]) {
    throw new RightsizeError('DOCKER_ERR_NO_OWNER', `${what}: labels must include ${OWNER_LABEL} so clean-up by label can find it`);
  }
}

/** Removal commands treat "already gone" as success: clean-up runs twice on failures. */
export async function ignoreMissing(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (err instanceof CommandError && /no such|not found/i.test(err.stderr)) return;
    throw err;
  }
}

/** The first element of a `docker ... inspect` JSON array. */
export const firstOf = (stdout: string): unknown => (JSON.parse(stdout) as unknown[])[0];
