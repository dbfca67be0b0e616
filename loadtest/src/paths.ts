/**
 * Where things are: the scripts, the default payloads and the results root, found from this
 * file's location (so the runner works from any working directory), and user-given paths
 * resolved against the current working directory.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getLoadEnv } from './config.js';

export const LOADTEST_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const K6_DIR = path.join(LOADTEST_DIR, 'k6');
export const DATA_DIR = path.join(LOADTEST_DIR, 'data');
export const LOCUST_DIR = path.join(LOADTEST_DIR, 'locust');
export const DEFAULT_PAYLOADS = path.join(DATA_DIR, 'payloads.json');

export function resultsRoot(): string {
  const fromEnv = getLoadEnv().RIGHTSIZE_LOAD_RESULTS;
  return fromEnv ? path.resolve(process.cwd(), fromEnv) : path.join(LOADTEST_DIR, 'results');
}

/** e.g. 20261122-134501-k6-steps-3f9a */
export function makeRunId(engine: string, scenario: string, now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return `${stamp}-${engine}-${scenario}-${Math.random().toString(16).slice(2, 6)}`;
}
