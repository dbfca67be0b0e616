/**
 * Builders for synthetic load summaries, container samples and trial records: the data the
 * pure core consumes, shaped exactly like the real adapters produce it (validated by the same
 * schemas), so the core's tests need no Docker and no k6.
 */
import { parseLoadSummary, type LoadSummary } from '@rightsize/loadtest/summary-schema';
import type { ContainerSample, HostSample } from '../../src/core/samples.js';
import { evaluateTrial } from '../../src/core/trial-outcome.js';
import type { TrialConfig } from '../../src/core/config-space.js';
import { userLadder } from '../../src/plan/load-contract.js';
import { SweepPlanSchema, type SweepPlan } from '../../src/plan/plan-schema.js';
import { TRIAL_SCHEMA_ID, type TrialRecord } from '../../src/results/trial-record.js';

export const T0 = Date.parse('2025-01-01T00:00:00Z');

export interface StepSpec {
  users: number;
  p95?: number;
  errorRate?: number;
  rps?: number;
  completed?: boolean;
  generatorValid?: boolean;
  requests?: number;
}

/** A load summary whose steps last `stepS` seconds each, back to back from T0. */
export function makeLoadSummary(steps: StepSpec[], options: { stepS?: number; aborted?: boolean; abortReason?: string | null } = {}): LoadSummary {
  const stepS = options.stepS ?? 10;
  const latency = (p95: number) => ({ avg: p95 / 3, p50: p95 / 4, p90: p95 * 0.8, p95, p99: p95 * 1.5, max: p95 * 3 });
  const errors = (requests: number, rate: number) => {
    const total = Math.round(requests * rate);
    return { total, rate: requests ? total / requests : 0, http4xx: 0, http5xx: total, timeouts: 0, connection: 0 };
  };
  const built = steps.map((s, index) => {
    const rps = s.rps ?? s.users / 2;
    const requests = s.requests ?? Math.round(rps * stepS);
    return {
      index,
      target: { kind: 'users' as const, value: s.users },
      ramp_start_s: index * stepS,
      hold_start_s: index * stepS + 2,
      end_s: (index + 1) * stepS,
      requests,
      rps,
      offered_rps: s.users / 2,
      latency_ms: latency(s.p95 ?? 20),
      errors: errors(requests, s.errorRate ?? 0),
      dropped_iterations: 0,
      checks: { passes: requests, fails: 0 },
      completed: s.completed ?? true,
      generator: {
        cpu_pct_avg: s.generatorValid === false ? 97 : 40,
        cpu_pct_max: s.generatorValid === false ? 100 : 55,
        mem_mb_max: 300,
        achieved_ratio: null,
        valid: s.generatorValid ?? true,
        reasons: s.generatorValid === false ? ['generator cpu 97% > 80%'] : [],
      },
    };
  });
  const total = built.reduce((a, s) => a + s.requests, 0);
  return parseLoadSummary({
    schema: 'rightsize.load-summary/v1',
    engine: 'k6',
    engine_version: '1.8.1',
    scenario: 'steps',
    model: 'closed',
    target_url: 'http://lb:8080/predict',
    started_at: new Date(T0).toISOString(),
    finished_at: new Date(T0 + steps.length * stepS * 1000).toISOString(),
    objective: { p95_ms: 200, p99_ms: null, max_error_rate: 0.01 },
    think_time_s: { min: 1, max: 3 },
    aborted: options.aborted ?? false,
    abort_reason: options.abortReason ?? null,
    steps: built,
    totals: { requests: total, rps: total / (steps.length * stepS || 1), latency_ms: latency(20), errors: errors(total, 0), dropped_iterations: 0, duration_s: steps.length * stepS },
  });
}

export interface SampleSpec {
  replicas?: number;
  seconds: number;
  cpuLimit?: number;
  memLimitMib?: number;
  cpuPct?: (t: number, replica: number) => number;
  memMib?: (t: number, replica: number) => number;
  throttledShare?: number;
  oomAt?: { second: number; replica: number };
  restartAt?: { second: number; replica: number };
}

/** Per-second samples of the api replicas from T0, with CFS counters at 10 periods per second. */
export function makeSamples(spec: SampleSpec): ContainerSample[] {
  const out: ContainerSample[] = [];
  for (let replica = 1; replica <= (spec.replicas ?? 1); replica++) {
    for (let s = 0; s <= spec.seconds; s++) {
      const oom = spec.oomAt !== undefined && spec.oomAt.replica === replica && s >= spec.oomAt.second;
      const restarts = spec.restartAt !== undefined && spec.restartAt.replica === replica && s >= spec.restartAt.second ? 1 : 0;
      out.push({
        t: T0 + s * 1000,
        id: `id-${replica}`,
        name: `rs-x-api-${replica}`,
        service: 'api',
        running: !oom,
        cpu_pct: spec.cpuPct?.(s, replica) ?? 40,
        nr_periods: s * 10,
        nr_throttled: Math.round(s * 10 * (spec.throttledShare ?? 0)),
        throttled_s: 0,
        mem_mib: spec.memMib?.(s, replica) ?? 120,
        mem_peak_mib: 130,
        mem_limit_mib: spec.memLimitMib ?? 256,
        cpu_limit: spec.cpuLimit ?? 0.5,
        oom_killed: oom,
        restarts,
        exit_code: oom ? 137 : null,
      });
    }
  }
  return out;
}

export function makeHostSamples(seconds: number, cpuPct: (t: number) => number = () => 50, pressurePct: (t: number) => number | null = () => 5): HostSample[] {
  return Array.from({ length: seconds + 1 }, (_, s) => ({ t: T0 + s * 1000, cpu_pct: cpuPct(s), cores: 2, mem_used_mib: 4000, cpu_pressure_pct: pressurePct(s) }));
}

export const LADDER_PLAN: SweepPlan = SweepPlanSchema.parse({ load: { users: { from: 500, to: 2000, step: 500 } } });

export interface RecordSpec {
  config: TrialConfig;
  index: number;
  steps: StepSpec[];
  attempt?: number;
  startUsers?: number;
  knownHeld?: number;
  samples?: SampleSpec;
  plan?: SweepPlan;
}

/** A full trial record, judged by the real evaluateTrial. */
export function makeRecord(spec: RecordSpec): TrialRecord {
  const plan = spec.plan ?? LADDER_PLAN;
  const summary = makeLoadSummary(spec.steps);
  const seconds = spec.steps.length * 10;
  const samples = makeSamples({ seconds, replicas: spec.config.replicas, cpuLimit: spec.config.cpus, memLimitMib: spec.config.memory_mib, ...spec.samples });
  const outcome = evaluateTrial({ summary, samples, host: makeHostSamples(seconds), objective: plan.objective, ladder: userLadder(plan) });
  return {
    schema: TRIAL_SCHEMA_ID,
    run_id: 'run-test',
    index: spec.index,
    attempt: spec.attempt ?? 1,
    config: spec.config,
    start_users: spec.startUsers ?? spec.steps[0]?.users ?? plan.load.users.from,
    known_held_users: spec.knownHeld ?? 0,
    started_at: new Date(T0).toISOString(),
    finished_at: new Date(T0 + seconds * 1000).toISOString(),
    duration_s: seconds + 20,
    outcome,
    usage: {},
    load: { engine: 'k6', engine_version: '1.8.1', target_url: 'http://lb:8080/predict', summary_file: null },
    samples_file: null,
    notes: [],
  };
}
