/**
 * Request bodies: the held-out rows of the model's dataset that `model/` exports to
 * loadtest/data/payloads.json (`{model, features[], rows: [{feature: value}]}`). Serialized
 * once into a SharedArray, so 10,000 VUs share one copy and no VU stringifies per request.
 */
import { SharedArray } from 'k6/data';

export interface Payloads {
  count: number;
  at(i: number): string;
}

/** The exported rows, found relative to this module wherever the scripts are mounted. */
export const DEFAULT_PAYLOADS = import.meta.resolve('../../data/payloads.json');

/** Call in the init context. `path`: absolute, or a file: URL. */
export function createPayloads(path: string = DEFAULT_PAYLOADS): Payloads {
  const bodies = new SharedArray('rightsize-payloads', () => {
    const doc = JSON.parse(open(path)) as { features?: unknown; rows?: unknown };
    if (!Array.isArray(doc.rows) || doc.rows.length === 0 || !Array.isArray(doc.features)) {
      throw new Error(`${path}: expected {model, features[], rows: [{feature: value}]} with at least one row`);
    }
    const features = doc.features as string[];
    return (doc.rows as Record<string, unknown>[]).map((row, i) => {
      const missing = features.filter((f) => typeof row[f] !== 'number');
      if (missing.length > 0) throw new Error(`${path}: rows[${i}] lacks numeric ${missing.slice(0, 3).join(', ')}`);
      return JSON.stringify(row);
    });
  });
  return { count: bodies.length, at: (i) => bodies[i % bodies.length] as string };
}
