/**
 * How to call k6 for a run: the script, `-e` variables and flags. Pure, so the local and the
 * container runtime build the very same command and a test can read it.
 */
import type { LoadOptions } from '../options.js';

export interface K6InvocationPaths {
  /** the scenario script as the engine sees it (host path or path inside the container) */
  script: string;
  /** where handleSummary writes the raw result */
  rawSummary: string;
  /** payloads.json as the engine sees it; null = the scripts' default next to them */
  payloads: string | null;
  /** k6's REST API listen address (live progress), e.g. 127.0.0.1:6565 */
  restAddress: string;
}

export function k6Env(options: Readonly<LoadOptions>, paths: Pick<K6InvocationPaths, 'rawSummary' | 'payloads'>): Record<string, string> {
  const p = options.schedule;
  const env: Record<string, string> = {
    RS_TARGET: options.target.replace(/\/+$/, ''),
    RS_PROTOCOL: options.protocol,
    RS_PATH: options.path,
    RS_START: String(p.startUsers),
    RS_MAX: String(p.maxUsers),
    RS_STEP: String(p.stepUsers),
    RS_RAMP: String(p.rampS),
    RS_HOLD: String(p.holdS),
    RS_THINK_MIN: String(p.thinkMinS),
    RS_THINK_MAX: String(p.thinkMaxS),
    RS_MAX_ERROR_RATE: String(options.objective.maxErrorRate),
    RS_TIMEOUT: String(options.requestTimeoutS),
    RS_CHECK_EVERY: String(options.checkEvery),
    RS_VU_BUDGET: String(options.vuBudgetS),
    RS_SUMMARY: paths.rawSummary,
  };
  if (p.rates.length > 0) env.RS_RATES = p.rates.join(',');
  if (options.objective.p95Ms !== null) env.RS_P95_MS = String(options.objective.p95Ms);
  if (options.objective.p99Ms !== null) env.RS_P99_MS = String(options.objective.p99Ms);
  if (options.sloWarmupS !== undefined) env.RS_SLO_WARMUP = String(options.sloWarmupS);
  if (paths.payloads !== null) env.RS_PAYLOADS = paths.payloads;
  return env;
}

export function k6Args(options: Readonly<LoadOptions>, paths: K6InvocationPaths): string[] {
  const env = k6Env(options, paths);
  return [
    'run',
    // progress bars are for terminals; the runner renders its own progress from the REST API
    '--quiet',
    '--no-usage-report',
    '--address',
    paths.restAddress,
    // JSON log lines on stdout: the runner finds the start marker and warnings in one stream
    '--log-output=stdout',
    '--log-format=json',
    ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    paths.script,
  ];
}

/** k6 exit codes (grafana/k6 errext/exitcodes): thresholds crossed still wrote a result. */
export const K6_EXIT = { ok: 0, thresholdsFailed: 99, externalAbort: 105, scriptException: 107, invalidConfig: 104 } as const;

/** "k6 v1.8.1 (go1.26.8, linux/amd64)" -> "1.8.1" */
export function parseK6Version(text: string): string | null {
  return /k6 v?(\d+\.\d+\.\d+[\w.-]*)/.exec(text)?.[1] ?? null;
}

/** a k6 JSON log line -> its message and level, or null for other output (handleSummary's table) */
export function parseK6LogLine(line: string): { level: string; msg: string } | null {
  if (!line.startsWith('{')) return null;
  try {
    const doc = JSON.parse(line) as { level?: unknown; msg?: unknown };
    return typeof doc.msg === 'string' ? { level: typeof doc.level === 'string' ? doc.level : 'info', msg: doc.msg } : null;
  } catch {
    return null;
  }
}

/** the RS_T0 marker printed by setup() */
export function parseStartMarker(msg: string): number | null {
  const m = /^RS_T0=(\d+)$/.exec(msg.trim());
  return m ? Number(m[1]) : null;
}
