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

const REPO_DIR = path.dirname(LOADTEST_DIR);

/**
 * Local engines found without configuration, after RIGHTSIZE_*_BIN and PATH: the static k6 that
 * `npm run images -- --offline` builds into its cache, and a Locust venv at .cache/locust-venv
 * (python3 -m venv .cache/locust-venv && .cache/locust-venv/bin/pip install -r loadtest/locust/requirements.txt).
 */
export function fallbackK6Paths(): string[] {
  const cache = getLoadEnv().RIGHTSIZE_IMAGE_CACHE;
  return [path.join(cache ? path.resolve(process.cwd(), cache) : path.join(REPO_DIR, '.cache', 'images'), 'k6-1.8.1', 'k6')];
}
export function fallbackLocustPaths(): string[] {
  return [path.join(REPO_DIR, '.cache', 'locust-venv', 'bin', 'locust')];
}

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
