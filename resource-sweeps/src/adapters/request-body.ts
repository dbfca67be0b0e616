/**
 * What a request to the API under test looks like, per protocol: our `POST /predict` takes one
 * row of named features; `mlflow models serve` takes `POST /invocations` with
 * `{"dataframe_records": [row]}`. The rows are the held-out rows model/ exports to
 * loadtest/data/payloads.json, the same the load scenarios send.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PATHS, requestBody as protocolBody } from '@rightsize/loadtest/protocol';
import { SweepError } from '../errors.js';
import type { Target } from '../plan/plan-schema.js';

export const PAYLOADS_FILE = fileURLToPath(new URL('../../../loadtest/data/payloads.json', import.meta.url));

/** the same route and body the load runner sends for the protocol (one definition, in loadtest) */
export function requestPath(protocol: Target['protocol']): string {
  return DEFAULT_PATHS[protocol];
}

export function requestBody(protocol: Target['protocol'], row: Record<string, number>): string {
  return protocolBody(protocol, row);
}

export async function loadRows(file = PAYLOADS_FILE): Promise<Record<string, number>[]> {
  try {
    const doc = JSON.parse(await readFile(file, 'utf8')) as { rows?: unknown };
    if (!Array.isArray(doc.rows) || doc.rows.length === 0) throw new Error('no rows');
    return doc.rows as Record<string, number>[];
  } catch (cause) {
    throw new SweepError('SWEEP_ERR_LOAD', `cannot read request rows from ${file}`, { cause, hint: 'model/ exports it: npm run model:train' });
  }
}
