/**
 * The k6 scripts' configuration, read once from `__ENV` (k6's `-e KEY=value`) and frozen.
 * This is the only file of the scripts that reads `__ENV`. Every problem is reported at once,
 * naming the variable, so a wrong `-e` fails at init instead of producing a misleading run.
 * The Node runner validates the same values before it starts k6; this is the second line.
 */
import { buildSchedule, type ScenarioName, type StepSchedule } from './schedule.ts';
import { DEFAULT_PATHS, PROTOCOLS, isProtocol, pathConflict, type Protocol } from './protocol.ts';

export interface ScriptConfig {
  /** base URL of the API, e.g. http://lb:8080 */
  target: string;
  /** what each request looks like: rightsize (POST /predict, one row) or mlflow (POST /invocations, dataframe_records) */
  protocol: Protocol;
  /** path of the prediction route; default from the protocol (/predict, /invocations) */
  path: string;
  /** absolute path of payloads.json; null = the repository's loadtest/data/payloads.json */
  payloadsPath: string | null;
  schedule: StepSchedule;
  thinkMinS: number;
  thinkMaxS: number;
  /** objective; null = not checked */
  p95Ms: number | null;
  p99Ms: number | null;
  maxErrorRate: number;
  /** seconds into each hold before latency/error samples count toward the abort thresholds */
  sloWarmupS: number;
  requestTimeoutS: number;
  /** check the response body against the contract on one request in N (0 = never) */
  checkEvery: number;
  /** arrival: seconds of latency each pre-allocated VU budgets for (VUs = rate x budget) */
  vuBudgetS: number;
  /** poisson: at most this many requests in flight per arrival stream; beyond, arrivals are dropped */
  maxInflight: number;
  summaryPath: string;
}

export function readConfig(scenario: ScenarioName, env: Record<string, string | undefined>): Readonly<ScriptConfig> {
  const problems: string[] = [];
  const get = (key: string): string | undefined => {
    const v = env[key];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const num = (key: string, fallback: number | null, check: (v: number) => boolean, want: string): number | null => {
    const raw = get(key);
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!Number.isFinite(v) || !check(v)) {
      problems.push(`${key}=${raw}: expected ${want}`);
      return fallback;
    }
    return v;
  };
  const positive = (v: number) => v > 0;
  const nonNegative = (v: number) => v >= 0;
  const wholePositive = (v: number) => v > 0 && Number.isInteger(v);

  const target = get('RS_TARGET');
  if (target === undefined) problems.push('RS_TARGET: required (base URL of the API, e.g. http://127.0.0.1:8000)');
  else if (!/^https?:\/\/[^/]+/.test(target)) problems.push(`RS_TARGET=${target}: expected an http(s) URL`);

  const protocolRaw = get('RS_PROTOCOL') ?? 'rightsize';
  const protocol: Protocol = isProtocol(protocolRaw) ? protocolRaw : 'rightsize';
  if (!isProtocol(protocolRaw)) problems.push(`RS_PROTOCOL=${protocolRaw}: expected one of ${PROTOCOLS.join(', ')}`);
  const path = get('RS_PATH') ?? DEFAULT_PATHS[protocol];
  if (!path.startsWith('/')) problems.push(`RS_PATH=${path}: expected a path starting with /`);
  const conflict = pathConflict(protocol, path);
  if (conflict !== null) problems.push(`RS_PATH=${path}: ${conflict}`);

  const rates: number[] = [];
  for (const part of (get('RS_RATES') ?? '').split(',').filter((p) => p.trim() !== '')) {
    const v = Number(part);
    if (!Number.isFinite(v) || v <= 0) problems.push(`RS_RATES: "${part}" is not a positive rate`);
    else rates.push(v);
  }
  if (scenario === 'poisson' && rates.length === 0 && get('RS_RATES') === undefined) {
    problems.push('RS_RATES: required for the poisson scenario (comma-separated requests per second, e.g. 50,100)');
  }

  const thinkMinS = num('RS_THINK_MIN', 1, nonNegative, 'seconds >= 0')!;
  const thinkMaxS = num('RS_THINK_MAX', 2.5, nonNegative, 'seconds >= 0')!;
  const holdS = num('RS_HOLD', 60, positive, 'seconds > 0')!;
  const scheduleInput = {
    scenario,
    startUsers: num('RS_START', 500, wholePositive, 'a whole number > 0')!,
    maxUsers: num('RS_MAX', 10000, wholePositive, 'a whole number > 0')!,
    stepUsers: num('RS_STEP', 500, wholePositive, 'a whole number > 0')!,
    rates,
    rampS: num('RS_RAMP', 10, nonNegative, 'seconds >= 0')!,
    holdS,
    thinkMinS,
    thinkMaxS,
  };
  const config = {
    target: (target ?? '').replace(/\/+$/, ''),
    protocol,
    path,
    payloadsPath: get('RS_PAYLOADS') ?? null,
    thinkMinS,
    thinkMaxS,
    p95Ms: num('RS_P95_MS', null, positive, 'milliseconds > 0'),
    p99Ms: num('RS_P99_MS', null, positive, 'milliseconds > 0'),
    maxErrorRate: num('RS_MAX_ERROR_RATE', 0.01, (v) => v >= 0 && v <= 1, 'a fraction in [0, 1]')!,
    sloWarmupS: num('RS_SLO_WARMUP', Math.min(5, holdS / 3), nonNegative, 'seconds >= 0')!,
    requestTimeoutS: num('RS_TIMEOUT', 10, positive, 'seconds > 0')!,
    checkEvery: num('RS_CHECK_EVERY', 20, (v) => v >= 0 && Number.isInteger(v), 'a whole number >= 0')!,
    vuBudgetS: num('RS_VU_BUDGET', 0.5, positive, 'seconds > 0')!,
    maxInflight: num('RS_MAX_INFLIGHT', 1000, wholePositive, 'a whole number > 0')!,
    summaryPath: get('RS_SUMMARY') ?? 'raw-summary.json',
  };
  let schedule: StepSchedule | null = null;
  if (problems.length === 0) {
    try {
      schedule = buildSchedule(scheduleInput);
    } catch (err) {
      problems.push(`schedule: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0 || schedule === null) {
    throw new Error(`rightsize k6 ${scenario}: bad configuration:\n  ${problems.join('\n  ')}`);
  }
  return Object.freeze({ ...config, schedule });
}
