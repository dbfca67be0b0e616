/**
 * What a generator contributes to the benchmark: how to start it at a rate for a given time, and
 * how to read its own account of the run afterwards. The harness does everything else the same
 * way for all of them (pinning, start detection, the window, CPU, counting, health).
 */
import { parseLoadOptions } from '../../src/options.js';

export interface RunInput {
  /** requests per second to offer; null for a closed-loop generator */
  rate: number | null;
  /** seconds of load from its first request (warm-up + window + a short tail) */
  runS: number;
  /** e.g. http://127.0.0.1:41234 (no trailing slash); requests go to `${targetUrl}${REQUEST_PATH}` */
  targetUrl: string;
  /** a fresh folder for this point's files */
  workDir: string;
  /** the request body every non-k6-scenario generator sends (one held-out row) */
  bodyFile: string;
}

export interface OwnReport {
  requests: number;
  errors: number;
  p95Ms: number | null;
  /** iterations the generator itself dropped (k6, the pacer); null when it has no such notion */
  dropped: number | null;
  /** what the numbers above cover: the measurement window, or the whole run (warm-up included) */
  scope: { p95: 'window' | 'run'; dropped: 'window' | 'run' };
}

/** numbers read from a running generator (k6's REST API) at the window's two ends */
export type Peek = Record<string, number>;

export interface CollectContext {
  /** the generator's last output lines */
  lines: readonly string[];
  /** the window, wall clock (Date.now() ms) */
  window: { fromMs: number; toMs: number };
  peeks: { from: Peek; to: Peek } | null;
}

export interface GeneratorCommand {
  file: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** the polite stop (flushes results); SIGKILL follows if it does not exit */
  stopSignal?: NodeJS.Signals;
  /** told the window starts (Locust resets its stats then, so its report covers the window on) */
  atWindowStart?(pid: number): void;
  /** read live counters at the window's ends (cheap: two calls a point) */
  peek?(): Promise<Peek>;
  /** after exit: the generator's own account, from its output files or its last lines */
  collect(ctx: CollectContext): Promise<OwnReport>;
}

export interface GeneratorEntry {
  id: string;
  label: string;
  role: 'generator' | 'variant';
  model: 'open' | 'closed';
  /** its version, or the reason it cannot run here (not installed, script missing) */
  probe(): Promise<{ version: string } | { skip: string }>;
  command(input: RunInput): Promise<GeneratorCommand>;
}

export const REQUEST_PATH = '/predict';

/** seconds of latency each pre-allocated k6 VU or vegeta worker budgets for: the runner's default */
export const VU_BUDGET_S = parseLoadOptions({ target: 'http://127.0.0.1' }).vuBudgetS;

/** k6's pre-allocated VUs (the arrival scenario's formula), vegeta's worker cap */
export function poolFor(rate: number): number {
  return Math.ceil(rate * VU_BUDGET_S) + 2;
}
