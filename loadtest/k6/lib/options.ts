/**
 * What every scenario shares: k6 options around the scenario itself, the start-of-test marker
 * and the summary hook. Memory per VU is the constraint at 10,000 users, so bodies are
 * discarded (sampled checks opt back in per request) and trend stats are only what we report.
 */
import exec from 'k6/execution';
import type { ScriptConfig } from './config.ts';
import type { StepSchedule } from './schedule.ts';
import { buildThresholds } from './thresholds.ts';
import { summarize, TREND_STATS } from './summary.ts';

export function baseOptions(config: Readonly<ScriptConfig>, scenarios: Record<string, object>): Record<string, unknown> {
  return {
    scenarios,
    thresholds: buildThresholds(config),
    discardResponseBodies: true,
    summaryTrendStats: TREND_STATS,
    // the runner parses handleSummary's JSON, not k6's text; keep the default text out of the way
    summaryTimeUnit: 'ms',
    userAgent: 'rightsize-loadtest (k6)',
    setupTimeout: '30s',
    teardownTimeout: '30s',
  };
}

/** seconds as a k6 duration string */
export function seconds(s: number): string {
  return `${Math.round(s * 1000) / 1000}s`;
}

/**
 * k6 stages for a schedule: a linear ramp into each step (none when it has no ramp), then its
 * hold; targets times `perUnit`, rounded (k6 wants whole VUs or iterations per time unit).
 */
export function scheduleStages(schedule: StepSchedule, perUnit = 1): { duration: string; target: number }[] {
  return schedule.steps.flatMap((s) => [
    ...(s.holdStartS > s.rampStartS ? [{ duration: seconds(s.holdStartS - s.rampStartS), target: Math.round(s.target * perUnit) }] : []),
    { duration: seconds(s.endS - s.holdStartS), target: Math.round(s.target * perUnit) },
  ]);
}

/**
 * Runs right before the first iteration. The wall-clock start lets the runner align its CPU and
 * memory samples with the step windows; the log line lets it follow the steps live.
 */
export function markStart(): { t0Ms: number } {
  const t0Ms = Date.now() - exec.instance.currentTestRunDuration;
  console.log(`RS_T0=${Math.round(t0Ms)}`);
  return { t0Ms };
}

export function makeHandleSummary(config: Readonly<ScriptConfig>) {
  return (data: Parameters<typeof summarize>[1]) => summarize(config, data);
}
