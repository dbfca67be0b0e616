/**
 * One catalog of error codes for the compose workspace: the Docker/Compose adapters
 * (`DOCKER_ERR_*`, `COMPOSE_ERR_*`), the offline image builder (`IMAGE_ERR_*`) and publishing
 * (`PUBLISH_ERR_*`). Tests assert codes, never messages; messages say what to do.
 */
import { CodedDataError, errorGuard } from './kit/errors.js';

export const ComposeErrorCodes = {
  /** A docker/compose command exited non-zero. `details` carries the command and stderr. */
  DOCKER_ERR_COMMAND: 'DOCKER_ERR_COMMAND',
  /** The docker CLI binary is not installed / not on PATH. */
  DOCKER_ERR_NOT_INSTALLED: 'DOCKER_ERR_NOT_INSTALLED',
  /** A command ran longer than its timeout and was killed. */
  DOCKER_ERR_TIMEOUT: 'DOCKER_ERR_TIMEOUT',
  /** The CLI printed something we could not parse (format changed?). */
  DOCKER_ERR_PARSE: 'DOCKER_ERR_PARSE',
  /** Asked to create an object without the `io.rightsize.owner` label. */
  DOCKER_ERR_NO_OWNER: 'DOCKER_ERR_NO_OWNER',
  /** Neither `docker compose` (v2) nor `docker-compose` (v1) answers. */
  COMPOSE_ERR_NOT_INSTALLED: 'COMPOSE_ERR_NOT_INSTALLED',
  /** A compose project name does not start with `rs-` or is not a valid project name. */
  COMPOSE_ERR_PROJECT_NAME: 'COMPOSE_ERR_PROJECT_NAME',
  /** Services did not become healthy before the deadline (or exited). */
  COMPOSE_ERR_UNHEALTHY: 'COMPOSE_ERR_UNHEALTHY',
  /** Bad option/env value (names the key). */
  CONFIG_ERR_INVALID: 'CONFIG_ERR_INVALID',
  IMAGE_ERR_UNKNOWN_IMAGE: 'IMAGE_ERR_UNKNOWN_IMAGE',
  IMAGE_ERR_BUILD: 'IMAGE_ERR_BUILD',
  IMAGE_ERR_TOOL_MISSING: 'IMAGE_ERR_TOOL_MISSING',
  IMAGE_ERR_NO_BUILDKIT: 'IMAGE_ERR_NO_BUILDKIT',
  IMAGE_ERR_BAD_ARGS: 'IMAGE_ERR_BAD_ARGS',
  PUBLISH_ERR_BAD_ARGS: 'PUBLISH_ERR_BAD_ARGS',
  PUBLISH_ERR_NO_IMAGE: 'PUBLISH_ERR_NO_IMAGE',
  PUBLISH_ERR_PUSH: 'PUBLISH_ERR_PUSH',
} as const;
export type ComposeErrorCode = keyof typeof ComposeErrorCodes;

export class RightsizeError extends CodedDataError<ComposeErrorCode> {
  override name = 'RightsizeError';
}

export const isRightsizeError = errorGuard(RightsizeError);

/** A failed external command: which one, how it ended, what it said. */
export class CommandError extends RightsizeError {
  readonly command: readonly string[];
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  constructor(opts: {
    code?: ComposeErrorCode;
    command: string[];
    exitCode: number | null;
    signal: string | null;
    stdout: string;
    stderr: string;
    hint?: string;
    cause?: unknown;
  }) {
    const shown = opts.command.map(quoteArg).join(' ');
    const how = opts.signal ? `killed by ${opts.signal}` : `exit ${opts.exitCode}`;
    const said = lastLines(opts.stderr || opts.stdout, 12);
    const message = `\`${shown}\` failed (${how})${said ? `:\n${said}` : ''}${opts.hint ? `\n${opts.hint}` : ''}`;
    super(opts.code ?? 'DOCKER_ERR_COMMAND', message, { command: opts.command, exitCode: opts.exitCode, stderr: opts.stderr }, { cause: opts.cause });
    this.name = 'CommandError';
    this.command = Object.freeze([...opts.command]);
    this.exitCode = opts.exitCode;
    this.signal = opts.signal;
    this.stdout = opts.stdout;
    this.stderr = opts.stderr;
  }
}

function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}
