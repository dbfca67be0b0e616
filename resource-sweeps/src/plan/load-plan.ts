/**
 * Reading a plan: YAML text -> validated SweepPlan. Every problem names the file, the key (as a
 * path like `candidates.cpus[2]`) and, when the key is in the file, its line; all problems are
 * reported at once so a user fixes a plan in one go.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { issueEntries, type Issue } from '@rightsize/compose/kit/issues';
import { SweepError } from '../errors.js';
import { SweepPlanSchema, type SweepPlan } from './plan-schema.js';

/** How a key path is named when it is the whole plan. */
export const TOP_LEVEL = '(top level)';

function lineOf(doc: ReturnType<typeof parseDocument>, counter: LineCounter, keyPath: readonly PropertyKey[]): number | null {
  // Walk as deep as the file goes: a missing key is reported at its parent's line.
  for (let depth = keyPath.length; depth >= 0; depth--) {
    const node = doc.getIn(keyPath.slice(0, depth) as unknown[], true) as YamlNode | undefined;
    if (node?.range) return counter.linePos(node.range[0]).line;
  }
  return null;
}

/** zod's message for a bad enum value, with the allowed values the way a plan writes them. */
function withAllowedValues(issue: Issue): Issue {
  return issue.code === 'invalid_value' && 'values' in issue ? { ...issue, message: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` } : issue;
}

export interface ParsePlanOptions {
  /** shown in errors; the file the text came from */
  source: string;
}

/** Validates a plan given as a plain object (JSON from an HTTP API, or parsed YAML). */
export function parsePlanObject(value: unknown, options: ParsePlanOptions, locate?: (keyPath: readonly PropertyKey[]) => number | null): SweepPlan {
  const result = SweepPlanSchema.safeParse(value ?? {});
  if (result.success) return result.data;
  const entries = issueEntries(result.error.issues.map(withAllowedValues), {
    root: TOP_LEVEL,
    unknownKey: 'unknown key (see the plan reference in resource-sweeps/README.md)',
  });
  const problems = entries.map(({ path: keyPath, key, message }) => {
    const line = locate?.(keyPath);
    return { key, text: `${key}${line ? ` (line ${line})` : ''}: ${message}` };
  });
  const first = problems[0];
  throw new SweepError('SWEEP_ERR_PLAN_INVALID', `${problems.length} problem${problems.length === 1 ? '' : 's'} in the plan`, {
    file: options.source,
    ...(first ? { key: first.key } : {}),
    details: problems.map((p) => p.text),
    hint: 'fix the keys above; `npm run sweep -- plan` prints the default plan with every key',
  });
}

/** Parses YAML text into a validated plan. */
export function parsePlanYaml(text: string, options: ParsePlanOptions): SweepPlan {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new SweepError('SWEEP_ERR_PLAN_YAML', 'the plan is not valid YAML', {
      file: options.source,
      details: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return `${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}${e.message.split(' at line ')[0]?.split('\n')[0]}`;
      }),
      hint: 'check indentation and quoting at the lines above',
    });
  }
  const value: unknown = doc.toJS();
  if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
    throw new SweepError('SWEEP_ERR_PLAN_INVALID', 'a plan is a YAML mapping (key: value lines) at the top level', {
      file: options.source,
      key: TOP_LEVEL,
    });
  }
  return parsePlanObject(value, options, (keyPath) => lineOf(doc, counter, keyPath));
}

export interface LoadPlanOptions {
  /** plan file; relative paths resolve against cwd */
  file: string;
  cwd?: string;
}

export async function loadPlanFile(options: LoadPlanOptions): Promise<{ plan: SweepPlan; file: string; text: string }> {
  const file = path.resolve(options.cwd ?? process.cwd(), options.file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new SweepError('SWEEP_ERR_PLAN_NOT_FOUND', `cannot read plan file ${file}`, {
      file: options.file,
      cause,
      hint: 'paths are relative to the directory you run npm from (the repository root for `npm run sweep`)',
    });
  }
  return { plan: parsePlanYaml(text, { source: options.file }), file, text };
}
