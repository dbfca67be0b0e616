// Request validation with zod, reporting every offending field. Used as Fastify's validator
// compiler, so a route's zod schema is its validation; failures become PREDICT_ERR_* errors whose
// `fields` name the feature (and the row, for batches) instead of a JSON pointer.
import type { FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { ApiError, MAX_REPORTED_FIELDS, type ErrorCode, type FieldIssue } from './errors.js';

type Issue = z.core.$ZodIssue;

export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema }) =>
  (data) => {
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    return { error: validationError(result.error.issues, data) };
  };

/** Pure: zod issues + the input they refer to -> one ApiError listing every offending field. */
export function validationError(issues: readonly Issue[], data: unknown): ApiError {
  const fields: FieldIssue[] = [];
  let code: ErrorCode = 'PREDICT_ERR_VALIDATION';
  let rootMessage: string | null = null;
  const visit = (list: readonly Issue[], prefix: PropertyKey[]) => {
    for (const issue of list) {
      const path = [...prefix, ...issue.path];
      if (issue.code === 'invalid_union') {
        visit(pickBranch(issue.errors, valueAt(data, path)), path);
        continue;
      }
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) fields.push(fieldIssue([...path, key], 'unknown feature: not in the model signature'));
        continue;
      }
      if (path.length === 0) {
        if (issue.code === 'too_small' && Array.isArray(data)) {
          code = 'PREDICT_ERR_EMPTY_BATCH';
          rootMessage = 'the batch is empty: send at least one row';
        } else if (issue.code === 'too_big' && Array.isArray(data)) {
          code = 'PREDICT_ERR_BATCH_TOO_LARGE';
          rootMessage = `the batch has ${data.length} rows; the limit is ${String((issue as { maximum?: unknown }).maximum)} (PREDICT_MAX_ROWS)`;
        } else {
          rootMessage = `expected a JSON object keyed by feature name, or an array of them; got ${describe(data)}`;
        }
        continue;
      }
      fields.push(fieldIssue(path, messageFor(issue, valueAt(data, path))));
    }
  };
  visit(issues, []);
  const reported = fields.slice(0, MAX_REPORTED_FIELDS);
  const message =
    rootMessage ??
    `${fields.length} problem(s) with the request: ${reported
      .slice(0, 5)
      .map((f) => `${f.row === undefined ? '' : `row ${f.row}: `}"${f.field}" ${f.message}`)
      .join('; ')}${fields.length > 5 ? '; ...' : ''}`;
  const err = new ApiError(code, { message, fields: reported.length ? reported : undefined });
  if (fields.length > MAX_REPORTED_FIELDS) Object.assign(err, { fieldsTruncated: true });
  return err;
}

/** For a failed union, the branch whose top-level type matched the input (object vs array). */
function pickBranch(branches: readonly (readonly Issue[])[], value: unknown): readonly Issue[] {
  const matched = branches.find((b) => !b.some((i) => i.path.length === 0 && i.code === 'invalid_type'));
  if (matched) return matched;
  return [{ code: 'custom', path: [], message: `unexpected ${describe(value)}`, input: value } as Issue];
}

function fieldIssue(path: PropertyKey[], message: string): FieldIssue {
  let row: number | undefined;
  let rest = path;
  if (typeof path[0] === 'number') {
    row = path[0];
    rest = path.slice(1);
  }
  const [name, ...index] = rest;
  const field = `${String(name)}${index.map((i) => `[${String(i)}]`).join('')}`;
  return row === undefined ? { field, message } : { field, row, message };
}

function messageFor(issue: Issue, value: unknown): string {
  if (value === undefined && issue.code === 'invalid_type') return 'is missing (required by the model signature)';
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${article(issue.expected)}, got ${describe(value)}`;
    case 'too_small':
    case 'too_big':
      return Array.isArray(value) ? `must hold ${issue.code === 'too_small' ? 'at least' : 'at most'} ${String(issue.code === 'too_small' ? issue.minimum : issue.maximum)} values, got ${value.length}` : issue.message;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(value)}`;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  if (expected === 'int') return 'an integer';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array (length ${value.length})`;
  if (typeof value === 'number') return Number.isFinite(value) ? `the number ${value}` : `${value} (not a finite number)`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = data;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}
