/**
 * A trial's record from what was measured: pure, so the Docker executor and the synthetic test
 * executor judge and assemble trials the same way. The executor measures (load summary, container
 * and host samples, what went wrong, timings); this judges them against the plan's objective
 * with the sweep's ladder and writes the line results.jsonl keeps.
 */
import path from 'node:path';
import type { LoadSummary } from '@rightsize/loadtest/summary-schema';
import { containerEvents, serviceUsage, type ContainerEvent, type ContainerSample, type HostSample } from '../core/samples.js';
import { evaluateTrial, outcomeWithoutLoad, type Reason, type TrialOutcome } from '../core/trial-outcome.js';
import { TRIAL_SCHEMA_ID, type TrialRecord } from '../results/trial-record.js';
import type { TrialSpec } from './trial-executor.js';

export interface TrialMeasurements {
  started: Date;
  finished: Date;
  /** the load's result; absent when the load never ran (summaryFile: null when it was not written to the run folder) */
  load?: { summary: LoadSummary; summaryFile: string | null };
  /** the warm-up's load, when it ran (not judged) */
  warmup?: { summary: LoadSummary; summaryFile: string | null };
  /** why the load never ran */
  failure?: unknown;
  samples: readonly ContainerSample[];
  host: readonly HostSample[];
  /** API containers that died while the stack came up (read when the load never ran) */
  startupEvents: readonly ContainerEvent[];
  /** infrastructure problems met on the way */
  notes: readonly string[];
  /** where the load was (or would have been) sent, for a trial whose load never ran */
  targetUrl: string;
  /** run-folder-relative path of the samples file; null when none was written */
  samplesFile: string | null;
}

export function recordTrial(spec: TrialSpec, m: TrialMeasurements): TrialRecord {
  const { plan } = spec;
  const ladder = spec.load.ladder;
  const firstUsers = spec.steps[0]?.users as number;
  const notes = [...m.notes];
  let outcome: TrialOutcome;
  if (m.load) {
    outcome = evaluateTrial({ summary: m.load.summary, samples: m.samples, host: m.host, objective: plan.objective, ladder, trialSteps: spec.steps });
  } else {
    const events = [...containerEvents(m.samples, 'api'), ...m.startupEvents];
    const message = m.failure instanceof Error ? m.failure.message.split('\n').slice(0, 4).join(' ') : String(m.failure);
    const reasons: Reason[] = events.map((e) => ({ kind: e.kind === 'oom' ? 'oom' : 'restart', detail: `${e.detail} before the load started` }));
    if (reasons.length === 0) reasons.push({ kind: 'infrastructure', detail: message });
    else notes.push(message);
    outcome = outcomeWithoutLoad({ ladder, firstUsers, reasons, events });
  }
  const summary = m.load?.summary;
  // usage over the load phase; without load, over the whole trial
  const window = summary ? { from: Date.parse(summary.started_at), to: Date.parse(summary.finished_at) } : { from: m.started.getTime(), to: m.finished.getTime() };
  return {
    schema: TRIAL_SCHEMA_ID,
    run_id: spec.run_id,
    index: spec.index,
    attempt: spec.attempt,
    config: spec.config,
    start_users: firstUsers,
    known_held_users: spec.known_held_users,
    started_at: m.started.toISOString(),
    finished_at: m.finished.toISOString(),
    duration_s: (m.finished.getTime() - m.started.getTime()) / 1000,
    outcome,
    usage: Object.fromEntries(['api', 'lb'].map((svc) => [svc, serviceUsage(m.samples, svc, window)])),
    load: {
      engine: summary?.engine ?? plan.load.engine,
      engine_version: summary?.engine_version ?? 'unknown',
      target_url: summary?.target_url ?? m.targetUrl,
      summary_file: m.load?.summaryFile ? path.relative(spec.dir, m.load.summaryFile) : null,
    },
    ...(m.warmup ? { warmup: warmupOf(spec, m.warmup) } : {}),
    ...(spec.confirmation ? { confirmation: true } : {}),
    samples_file: m.samplesFile,
    notes,
  };
}

function warmupOf(spec: TrialSpec, w: { summary: LoadSummary; summaryFile: string | null }): NonNullable<TrialRecord['warmup']> {
  const t = w.summary.totals;
  const step = w.summary.steps[0];
  return {
    users: spec.load.warmup(spec.steps)?.step.users ?? 0,
    offered_rps: step?.offered_rps ?? null,
    requests: t.requests,
    rps: t.rps,
    p95_ms: t.latency_ms.p95,
    error_rate: t.errors.rate,
    duration_s: t.duration_s,
    summary_file: w.summaryFile ? path.relative(spec.dir, w.summaryFile) : null,
  };
}
