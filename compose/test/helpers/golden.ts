/** The committed golden outputs (model/golden/breast-cancer-gbt.json) and request helpers. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../src/images/repo-info.js';

export interface Golden {
  model: string;
  version: string;
  features: string[];
  classes: string[];
  rows: Record<string, number>[];
  labels: string[];
  probabilities: number[][];
}

export function readGolden(): Golden {
  return JSON.parse(readFileSync(path.join(REPO_ROOT, 'model/golden/breast-cancer-gbt.json'), 'utf8')) as Golden;
}

export interface Prediction {
  label: string;
  probabilities: Record<string, number>;
  model?: { name: string; version: string | null };
}

export async function predict(baseUrl: string, body: unknown, timeoutMs = 10_000): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${baseUrl}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, json: await res.json().catch(() => null) };
}

/** Asserts-free comparison so callers can report every mismatch at once. */
export function goldenMismatches(golden: Golden, predictions: Prediction[], tolerance = 1e-5): string[] {
  const problems: string[] = [];
  predictions.forEach((p, i) => {
    if (p.label !== golden.labels[i]) problems.push(`row ${i}: label ${p.label} != ${golden.labels[i]}`);
    golden.classes.forEach((c, j) => {
      const diff = Math.abs((p.probabilities[c] ?? NaN) - golden.probabilities[i]![j]!);
      if (!(diff <= tolerance)) problems.push(`row ${i}: P(${c}) off by ${diff}`);
    });
  });
  return problems;
}

export async function waitForOk(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not OK after ${timeoutMs} ms (${last})`);
}
