/**
 * The one error shape of the TypeScript workspaces: a stable code from a workspace's catalog
 * (`SWEEP_ERR_*`, `LOAD_ERR_*`, `DOCKER_ERR_*`, ...), a message that says what to do, where the
 * problem is (file, key), a hint, and details. Each workspace subclasses CodedError once, only to
 * fix its catalog and name, and gets its guard from `errorGuard`. Tests assert codes; a CLI prints
 * `format()`. (The inference API keeps its own ApiError: its image holds no other workspace.)
 */

/** Lines shown under the message (every invalid key of a plan), or data for programs. */
export type ErrorDetails = readonly string[] | Readonly<Record<string, unknown>>;

export interface CodedErrorOptions<D extends ErrorDetails = ErrorDetails> {
  /** the file the problem is in (plan, results.jsonl, ...) */
  file?: string;
  /** dotted key inside that file or the flag at fault, e.g. `candidates.cpus[2]`, `--target` */
  key?: string;
  /** what the user can do about it */
  hint?: string;
  /** further problems of the same kind (every invalid key of a plan), or data for programs */
  details?: D;
  cause?: unknown;
}

export class CodedError<C extends string = string, D extends ErrorDetails = readonly string[]> extends Error {
  readonly code: C;
  readonly file: string | undefined;
  readonly key: string | undefined;
  readonly hint: string | undefined;
  /** frozen; no lines when not given */
  readonly details: D;

  constructor(code: C, message: string, options: CodedErrorOptions<D> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CodedError';
    this.code = code;
    this.file = options.file;
    this.key = options.key;
    this.hint = options.hint;
    const details: ErrorDetails = options.details ?? [];
    this.details = Object.freeze(Array.isArray(details) ? [...details] : { ...details }) as D;
  }

  /** One block of text for a terminal: `CODE file key: message`, the detail lines, then the hint. */
  format(): string {
    const where = [this.file, this.key].filter(Boolean).join(' ');
    const lines = [`${this.code}${where ? ` ${where}` : ''}: ${this.message}`];
    if (Array.isArray(this.details)) lines.push(...this.details.map((d: string) => `  ${d}`));
    if (this.hint) lines.push(`  -> ${this.hint}`);
    return lines.join('\n');
  }
}

/**
 * A coded error whose details are data for programs (the command, its exit code) rather than
 * lines to print, written `new XError(code, message, details, options)`: the compose and load
 * catalogs' form.
 */
export class CodedDataError<C extends string = string> extends CodedError<C, Readonly<Record<string, unknown>>> {
  constructor(code: C, message: string, details: Record<string, unknown> = {}, options: Omit<CodedErrorOptions, 'details'> = {}) {
    super(code, message, { ...options, details });
    this.name = 'CodedDataError';
  }
}

/** Whether `err` is a coded error (of any workspace), and with `code`, one of that code. */
export function isCodedError(err: unknown, code?: string): err is CodedError<string, ErrorDetails> {
  return err instanceof CodedError && (code === undefined || err.code === code);
}

/** The guard of one error class: `isSweepError = errorGuard(SweepError)`, then `isSweepError(err, 'SWEEP_ERR_ABORTED')`. */
export function errorGuard<E extends CodedError<string, ErrorDetails>>(type: abstract new (...args: never[]) => E): (err: unknown, code?: E['code']) => err is E {
  return (err: unknown, code?: E['code']): err is E => err instanceof type && isCodedError(err, code);
}
