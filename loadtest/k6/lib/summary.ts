/**
 * handleSummary: turns k6's end-of-test data into the raw per-step JSON (`rightsize.load-raw/v1`)
 * that the Node runner validates and combines with the generator's CPU/memory samples into the
 * shared `rightsize.load-summary/v1`. Also prints a short per-step table so the scripts are
 * useful when run by hand with `k6 run`.
 */
import type { ScriptConfig } from './config.ts';
import { METRIC } from './metrics.ts';

type Values = Record<string, number>;
interface MetricData {
  values: Values;
  thresholds?: Record<string, { ok: boolean }>;
}
interface SummaryData {
  metrics: Record<string, MetricData | undefined>;
  state: { testRunDurationMs: number };
  setup_data?: { t0Ms?: number };
}

/** shared with the Locust listener, which writes the same shape */
export const RAW_SCHEMA_ID = 'rightsize.load-raw/v1';
export const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];

export function summarize(config: Readonly<ScriptConfig>, data: SummaryData): Record<string, string> {
  const value = (metric: string, key: string): number => data.metrics[metric]?.values[key] ?? 0;
  const latency = (metric: string) => ({
    avg: value(metric, 'avg'),
    p50: value(metric, 'med'),
    p90: value(metric, 'p(90)'),
    p95: value(metric, 'p(95)'),
    p99: value(metric, 'p(99)'),
    max: value(metric, 'max'),
    count: value(metric, 'count'),
  });
  const open = config.schedule.model === 'open';
  const steps = config.schedule.steps.map((step) => {
    const tag = `{step:${step.index}}`;
    return {
      index: step.index,
      requests: value(`http_reqs${tag}`, 'count'),
      latency: latency(`http_req_duration${tag}`),
      failed: value(`http_req_failed${tag}`, 'passes'),
      errors: {
        http4xx: value(`${METRIC.err4xx}${tag}`, 'count'),
        http5xx: value(`${METRIC.err5xx}${tag}`, 'count'),
        timeouts: value(`${METRIC.errTimeout}${tag}`, 'count'),
        connection: value(`${METRIC.errConnection}${tag}`, 'count'),
      },
      checks: { passes: value(`checks${tag}`, 'passes'), fails: value(`checks${tag}`, 'fails') },
      started: open ? value(`${METRIC.started}${tag}`, 'count') : null,
      dropped: open ? value(`${METRIC.dropped}${tag}`, 'count') : null,
      slo_latency: latency(`${METRIC.sloLatency}${tag}`),
      slo_error_rate: value(`http_req_failed${tag}`, 'rate'),
    };
  });
  const failedThresholds: { metric: string; threshold: string }[] = [];
  for (const [metric, m] of Object.entries(data.metrics)) {
    for (const [threshold, r] of Object.entries(m?.thresholds ?? {})) {
      if (!r.ok) failedThresholds.push({ metric, threshold });
    }
  }
  const raw = {
    schema: RAW_SCHEMA_ID,
    engine: 'k6',
    scenario: config.schedule.scenario,
    target_url: `${config.target}${config.path}`,
    t0_ms: data.setup_data?.t0Ms ?? null,
    test_run_duration_ms: data.state.testRunDurationMs,
    // the raw format keeps its `plan` key (raw-schema.ts): it holds the step schedule
    plan: config.schedule,
    objective: { p95_ms: config.p95Ms, p99_ms: config.p99Ms, max_error_rate: config.maxErrorRate },
    think_time_s: config.schedule.scenario === 'steps' ? { min: config.thinkMinS, max: config.thinkMaxS } : null,
    steps,
    totals: {
      requests: value('http_reqs', 'count'),
      latency: latency('http_req_duration'),
      failed: value('http_req_failed', 'passes'),
      dropped_iterations: value('dropped_iterations', 'count') + value(METRIC.dropped, 'count'),
      iterations: value('iterations', 'count'),
      vus_max: value('vus_max', 'max'),
    },
    failed_thresholds: failedThresholds,
  };
  return { [config.summaryPath]: JSON.stringify(raw, null, 1), stdout: renderTable(raw.steps, config) };
}

function renderTable(steps: { index: number; requests: number; latency: Values; failed: number }[], config: Readonly<ScriptConfig>): string {
  const unit = config.schedule.model === 'open' ? 'req/s' : 'users';
  const lines = [`\nrightsize ${config.schedule.scenario}: per step (${unit}, requests, p95 ms, p99 ms, failed)`];
  for (const s of steps) {
    if (s.requests === 0) continue;
    const planned = config.schedule.steps[s.index]!;
    lines.push(
      `  step ${String(s.index).padStart(2)}  ${String(planned.target).padStart(8)} ${unit}  ${String(s.requests).padStart(8)}  ` +
        `${s.latency.p95!.toFixed(1).padStart(8)}  ${s.latency.p99!.toFixed(1).padStart(8)}  ${s.failed}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
