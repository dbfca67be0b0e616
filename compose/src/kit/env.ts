/**
 * Reading `process.env` the one way every workspace's `config.ts` does: a zod schema, empty
 * strings counting as unset (compose and CI pass empty variables), every problem reported at
 * once naming the variable, parsed once and frozen.
 */
import { z } from 'zod';
import { formatIssues, type Issue } from './issues.js';

const unsetIfEmpty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** A variable that may be unset (or empty). */
export const envString = z.preprocess(unsetIfEmpty, z.string().optional());

/** A variable with a default when unset (or empty). */
export function envStringOr(fallback: string) {
  return z.preprocess(unsetIfEmpty, z.string().default(fallback));
}

/** A yes/no variable: set and not `0`, `false` or `no` is yes. */
export const envFlag = envString.transform((v) => v !== undefined && !/^(0|false|no)$/i.test(v));

export interface EnvReaderOptions {
  /** the workspace's own error: `problems` are `VARIABLE: message` lines */
  onError: (problems: string[], issues: readonly Issue[]) => Error;
}

export interface EnvReader<T> {
  /** parses an environment-like record, or throws what `onError` returns */
  parse(env: Record<string, string | undefined>): Readonly<T>;
  /** `process.env`, parsed on first use and kept */
  get(): Readonly<T>;
  /** forgets the kept parse, for tests that change `process.env` */
  reset(): void;
}

export function createEnvReader<S extends z.ZodType<object>>(schema: S, options: EnvReaderOptions): EnvReader<z.output<S>> {
  let cached: Readonly<z.output<S>> | undefined;
  const parse = (env: Record<string, string | undefined>): Readonly<z.output<S>> => {
    const parsed = schema.safeParse(env);
    if (!parsed.success) throw options.onError(formatIssues(parsed.error.issues), parsed.error.issues);
    return Object.freeze(parsed.data);
  };
  return {
    parse,
    get: () => (cached ??= parse(process.env)),
    reset: () => {
      cached = undefined;
    },
  };
}
