/**
 * zod issues as lines a user can act on: `candidates.cpus[2]: Too small ...`. One key format
 * (dotted names, `[i]` for indexes) for every file, flag, environment variable and request.
 */
import type { z } from 'zod';

export type Issue = z.core.$ZodIssue;

export interface FormatIssuesOptions {
  /** how an issue about the whole value (an empty path) is named; default `(root)` */
  root?: string;
  /** one line per unknown key, with this message, instead of zod's one line listing them */
  unknownKey?: string;
  /** shows a key as the user typed it, e.g. an option path as its CLI flag */
  rename?: (key: string) => string;
  /** at most this many lines */
  limit?: number;
}

/** One problem: the path inside the value, the key as shown, the message. */
export interface IssueEntry {
  path: readonly PropertyKey[];
  key: string;
  message: string;
}

/** `a.b[2].c` for a zod/yaml path; `root` for an empty one. */
export function formatKey(keyPath: readonly PropertyKey[], root = '(root)'): string {
  let out = '';
  for (const part of keyPath) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || root;
}

/** The issues as entries (key and message), in zod's order. */
export function issueEntries(issues: readonly Issue[], options: FormatIssuesOptions = {}): IssueEntry[] {
  const { unknownKey, rename = (key: string) => key } = options;
  const entries = issues.flatMap((issue): { path: readonly PropertyKey[]; message: string }[] =>
    unknownKey !== undefined && issue.code === 'unrecognized_keys'
      ? issue.keys.map((k) => ({ path: [...issue.path, k], message: unknownKey }))
      : [{ path: issue.path, message: issue.message }],
  );
  return entries.slice(0, options.limit).map(({ path, message }) => ({ path, key: rename(formatKey(path, options.root)), message }));
}

/** The issues as `key: message` lines. */
export function formatIssues(issues: readonly Issue[], options: FormatIssuesOptions = {}): string[] {
  return issueEntries(issues, options).map((e) => `${e.key}: ${e.message}`);
}
