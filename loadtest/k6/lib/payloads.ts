/**
 * Request bodies: the held-out rows of the model's dataset that `model/` exports to
 * loadtest/data/payloads.json (`{model, features[], rows: [{feature: value}]}`), serialized once,
 * already in the protocol's shape (a bare row, or MLflow's `{"dataframe_records": [row]}`), into
 * a SharedArray so 10,000 VUs share one copy.
 *
 * Reading a SharedArray element is not free: k6 decodes it on every access, which measured here
 * cut a VU's request rate by ~6x (2,000 vs 13,700 req/s on one core). So each VU copies a small
 * window of bodies (ROWS_PER_VU, ~7 KB) out of the shared copy on first use and cycles through it;
 * windows start at different rows, so together the VUs still send every row.
 */
import { SharedArray } from 'k6/data';
import { requestBody, type Protocol } from './protocol.ts';

const ROWS_PER_VU = 8;

export interface Payloads {
  count: number;
  /** the body for a VU's n-th request */
  body(vuId: number, n: number): string;
}

/** The exported rows, found relative to this module wherever the scripts are mounted. */
export const DEFAULT_PAYLOADS = import.meta.resolve('../../data/payloads.json');

/** Call in the init context. `payloadsPath`: absolute, or a file: URL; null = DEFAULT_PAYLOADS. */
export function createPayloads(options: { payloadsPath: string | null; protocol: Protocol }): Payloads {
  const path = options.payloadsPath ?? DEFAULT_PAYLOADS;
  const shared = new SharedArray(`rightsize-payloads-${options.protocol}`, () => {
    const doc = JSON.parse(open(path)) as { features?: unknown; rows?: unknown };
    if (!Array.isArray(doc.rows) || doc.rows.length === 0 || !Array.isArray(doc.features)) {
      throw new Error(`${path}: expected {model, features[], rows: [{feature: value}]} with at least one row`);
    }
    const features = doc.features as string[];
    return (doc.rows as Record<string, unknown>[]).map((row, i) => {
      const missing = features.filter((f) => typeof row[f] !== 'number');
      if (missing.length > 0) throw new Error(`${path}: rows[${i}] lacks numeric ${missing.slice(0, 3).join(', ')}`);
      return requestBody(options.protocol, row);
    });
  });
  const count = shared.length;
  // this VU's window; each VU is its own JS runtime, so module state is per VU
  let window: string[] | null = null;
  return {
    count,
    body(vuId, n) {
      if (window === null) {
        const start = (vuId * ROWS_PER_VU) % count;
        window = [];
        for (let k = 0; k < Math.min(ROWS_PER_VU, count); k++) window.push(shared[(start + k) % count] as string);
      }
      return window[n % window.length]!;
    },
  };
}
