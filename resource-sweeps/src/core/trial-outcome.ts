/**
 * Judging a trial: from the load summary (per step) and the container samples to "largest step
 * held, why the next one failed, and whether that failure is the API's". A step fails on the
 * objective (p95/p99 latency, error rate) or on the API's containers (OOM kill, restart, exit);
 * it is INVALID when the generator was saturated or the infrastructure failed, because then the
 * numbers describe the machine, not the configuration. An OOM kill or restart stays a failure
 * even when the generator struggled: it offered at most the load, and the API still broke.
 */
import { z } from 'zod';
import type { LoadSummary, Step } from '@rightsize/loadtest/summary-schema';
import type { TrialStep } from '../plan/load-contract.js';
import type { PlanObjective } from '../plan/plan-schema.js';
import { containerEvents, hostStats, isLimitBinding, serviceUsage, type ContainerEvent, type ContainerSample, type HostSample, type ServiceUsage } from './samples.js';

export const FailKindSchema = z.enum(['latency', 'errors', 'oom', 'restart', 'aborted', 'generator', 'machine', 'infrastructure']);
export type FailKind = z.infer<typeof FailKindSchema>;
/** kinds that say nothing about the API: the step is invalid */
const INVALIDATING: ReadonlySet<FailKind> = new Set(['generator', 'machine', 'infrastructure']);
/** kinds that are the API's fault whatever the generator did */
const DEFINITE: ReadonlySet<FailKind> = new Set(['oom', 'restart']);

export const ReasonSchema = z.object({ kind: FailKindSchema, detail: z.string() }).strict();
export type Reason = z.infer<typeof ReasonSchema>;

const nullableNumber = z.number().nullable();
export const ServiceUsageSchema = z
  .object({
    containers: z.number().int().nonnegative(),
    cpu_pct_avg: nullableNumber,
    cpu_pct_max: nullableNumber,
    cpu_limit_pct: nullableNumber,
    throttled_ratio: nullableNumber,
    mem_max_mib: nullableNumber,
    mem_high_water_mib: nullableNumber,
    mem_limit_mib: nullableNumber,
  })
  .strict() satisfies z.ZodType<ServiceUsage>;

export const StepVerdictSchema = z
  .object({
    users: z.number().nonnegative(),
    /** seconds from the load's start */
    from_s: z.number().nonnegative(),
    to_s: z.number().nonnegative(),
    completed: z.boolean(),
    requests: z.number().int().nonnegative(),
    rps: z.number().nonnegative(),
    latency_ms: z.object({ p50: z.number(), p90: z.number(), p95: z.number(), p99: z.number(), max: z.number() }).strict(),
    error_rate: z.number().min(0).max(1),
    errors: z.object({ http4xx: z.number(), http5xx: z.number(), timeouts: z.number(), connection: z.number() }).strict(),
    dropped_iterations: z.number().int().nonnegative(),
    generator: z.object({ cpu_pct_avg: nullableNumber, valid: z.boolean(), reasons: z.array(z.string()) }).strict(),
    api: ServiceUsageSchema,
    host_cpu_pct: nullableNumber,
    host_cpu_pressure_pct: nullableNumber,
    pass: z.boolean(),
    valid: z.boolean(),
    /** the API ran into its own CPU or memory limit (isLimitBinding); null without samples */
    limit_binding: z.boolean().nullable(),
    /** failed while the API's limits were not binding and the host was contended: the machine, not the limit, was the bottleneck */
    machine_bound: z.boolean(),
    reasons: z.array(ReasonSchema),
  })
  .strict();
export type StepVerdict = z.infer<typeof StepVerdictSchema>;

export const TrialOutcomeSchema = z
  .object({
    /** largest step this trial ran and held (users); 0 when none of its steps held */
    held_users: z.number().nonnegative(),
    /** the most it can hold: the step below the one that failed; null when unknown */
    upper_users: z.number().nonnegative().nullable(),
    /** false when the trial ended for reasons that say nothing about the API */
    valid: z.boolean(),
    end: z.enum(['target', 'objective', 'invalid']),
    failed_step: z.object({ users: z.number(), reasons: z.array(ReasonSchema), machine_bound: z.boolean(), limit_binding: z.boolean().nullable() }).strict().nullable(),
    steps: z.array(StepVerdictSchema),
    events: z.array(z.object({ t: z.number(), name: z.string(), kind: z.enum(['oom', 'restart', 'exit']), detail: z.string() }).strict()),
  })
  .strict();
export type TrialOutcome = z.infer<typeof TrialOutcomeSchema>;

export interface EvaluateOptions {
  summary: LoadSummary;
  samples: readonly ContainerSample[];
  host: readonly HostSample[];
  objective: PlanObjective;
  /** the whole user ladder of the plan; its last value is the target */
  ladder: readonly number[];
  /** this trial's steps, each with the users it stands for beside the load it offers (open model: a rate) */
  trialSteps?: readonly TrialStep[];
  /** host CPU busy % at or above which the host counts as contended */
  machineBusyPct?: number;
  /** host CPU pressure % at or above which the host counts as contended */
  machinePressurePct?: number;
  /** generator CPU wait % (its runnable time spent waiting for a core) at or above which it counts as starved */
  generatorWaitPct?: number;
}

/**
 * An open-model step the generator called invalid only because it dropped iterations or fell
 * short of the offered rate, with its own CPU fine and its sends on time: its VUs were all busy
 * waiting on answers.
 */
export function isStarvedBySlowServer(step: Step): boolean {
  const g = step.generator;
  return !g.valid && g.reasons.length > 0 && !g.reasons.some((r) => /cpu|memory|mem |sent late/i.test(r)) && (g.cpu_pct_avg === null || g.cpu_pct_avg < 80);
}

const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 2 : 1)} %`;

function objectiveReasons(step: Step, objective: PlanObjective): Reason[] {
  const reasons: Reason[] = [];
  if (step.latency_ms.p95 > objective.p95_ms) reasons.push({ kind: 'latency', detail: `p95 ${Math.round(step.latency_ms.p95)} ms > ${objective.p95_ms} ms` });
  if (objective.p99_ms !== null && step.latency_ms.p99 > objective.p99_ms)
    reasons.push({ kind: 'latency', detail: `p99 ${Math.round(step.latency_ms.p99)} ms > ${objective.p99_ms} ms` });
  const e = step.errors;
  if (e.rate > objective.max_error_rate)
    reasons.push({
      kind: 'errors',
      detail: `error rate ${pct(e.rate)} > ${pct(objective.max_error_rate)} (5xx ${e.http5xx}, 4xx ${e.http4xx}, timeouts ${e.timeouts}, connection ${e.connection})`,
    });
  return reasons;
}

function eventReasons(events: ContainerEvent[], objective: PlanObjective): Reason[] {
  return events
    .filter((e) => (e.kind === 'oom' ? !objective.allow_oom_kill : !objective.allow_restarts))
    .map((e) => ({ kind: e.kind === 'oom' ? 'oom' : 'restart', detail: e.detail }));
}

/** The users a summary step stands for: the trial step that offered its load, else its target. */
function usersOf(step: Step, trialSteps: readonly TrialStep[] = []): number {
  return trialSteps.find((s) => s.kind === step.target.kind && s.target === step.target.value)?.users ?? step.target.value;
}

export function evaluateTrial(options: EvaluateOptions): TrialOutcome {
  const { summary, objective, ladder } = options;
  const start = Date.parse(summary.started_at);
  const events = containerEvents(options.samples, 'api');
  const steps = summary.steps;
  const verdicts: StepVerdict[] = steps.map((step, i) => {
    const window = { from: start + step.ramp_start_s * 1000, to: start + step.end_s * 1000 };
    // container events before the first step (warm-up) count against it, after the last against the last
    const mine = events.filter((e) => (i === 0 || e.t > window.from) && (i === steps.length - 1 || e.t <= window.to));
    const reasons = [...eventReasons(mine, objective)];
    const broken = step.completed && step.requests === 0 ? [] : objectiveReasons(step, objective);
    if (!step.generator.valid) {
      if (isStarvedBySlowServer(step) && broken.length > 0) {
        // open model: every VU was waiting on a slow answer, so k6 could not start more; that is the API being slow
        for (const r of broken) r.detail += ` (the generator ran out of VUs waiting on slow answers: ${step.generator.reasons.join('; ')})`;
      } else {
        reasons.push({ kind: 'generator', detail: `load generator saturated: ${step.generator.reasons.join('; ') || 'invalid'}` });
      }
    }
    if (step.completed && step.requests === 0) reasons.push({ kind: 'infrastructure', detail: 'no request completed during the step' });
    else reasons.push(...broken);
    if (!step.completed && !reasons.some((r) => r.kind !== 'generator')) {
      reasons.push(
        summary.aborted
          ? { kind: 'aborted', detail: `the load stopped the run: ${summary.abort_reason ?? 'threshold crossed'}` }
          : { kind: 'infrastructure', detail: 'the step did not run to its end' },
      );
    }
    const kinds = new Set(reasons.map((r) => r.kind));
    const api = serviceUsage(options.samples, 'api', window);
    const host = hostStats(options.host, window);
    const objectiveFail = kinds.has('latency') || kinds.has('errors');
    // an OOM kill is the memory limit binding, however low the last sample before it
    const limit_binding = kinds.has('oom') ? true : isLimitBinding(api);
    // the load runner may report how long the generator waited for a CPU (optional in its schema)
    const generatorWait = (step.generator as { cpu_wait_pct?: number | null }).cpu_wait_pct ?? null;
    const contended =
      (host.cpu_pct ?? 0) >= (options.machineBusyPct ?? 90) || (host.cpu_pressure_pct ?? 0) >= (options.machinePressurePct ?? 20) || (generatorWait ?? 0) >= (options.generatorWaitPct ?? 50);
    const machine_bound = objectiveFail && limit_binding === false && contended;
    if (machine_bound) {
      // the limits were not what broke: the numbers describe the machine, so the step is invalid (retried, or undecided)
      const f = (x: number | null, unit = ' %') => (x === null ? '?' : `${Math.round(x)}${unit}`);
      reasons.push({
        kind: 'machine',
        detail: `the machine, not the limits: host CPU ${f(host.cpu_pct)} busy, ${f(host.cpu_pressure_pct)} CPU pressure${generatorWait === null ? '' : `, generator waiting for a CPU ${f(generatorWait)} of the time`}, while the API used ${api.cpu_pct_avg !== null && api.cpu_limit_pct ? f((100 * api.cpu_pct_avg) / api.cpu_limit_pct) : '?'} of its CPU limit, throttled in ${f((api.throttled_ratio ?? 0) * 100)} of periods`,
      });
    }
    const finalKinds = new Set(reasons.map((r) => r.kind));
    const valid = [...finalKinds].some((k) => DEFINITE.has(k)) || ![...finalKinds].some((k) => INVALIDATING.has(k));
    return {
      users: usersOf(step, options.trialSteps),
      from_s: step.ramp_start_s,
      to_s: step.end_s,
      completed: step.completed,
      requests: step.requests,
      rps: step.rps,
      latency_ms: { p50: step.latency_ms.p50, p90: step.latency_ms.p90, p95: step.latency_ms.p95, p99: step.latency_ms.p99, max: step.latency_ms.max },
      error_rate: step.errors.rate,
      errors: { http4xx: step.errors.http4xx, http5xx: step.errors.http5xx, timeouts: step.errors.timeouts, connection: step.errors.connection },
      dropped_iterations: step.dropped_iterations,
      generator: { cpu_pct_avg: step.generator.cpu_pct_avg, valid: step.generator.valid, reasons: step.generator.reasons },
      api,
      host_cpu_pct: host.cpu_pct,
      host_cpu_pressure_pct: host.cpu_pressure_pct,
      pass: reasons.length === 0,
      valid,
      limit_binding,
      machine_bound,
      reasons,
    };
  });

  const failedIndex = verdicts.findIndex((v) => !v.pass);
  const held = (failedIndex === -1 ? verdicts.at(-1) : verdicts[failedIndex - 1])?.users ?? 0;
  const base = { steps: verdicts, events };
  if (failedIndex === -1) {
    const target = ladder[ladder.length - 1] as number;
    if (held >= target) return { ...base, held_users: held, upper_users: null, valid: true, end: 'target', failed_step: null };
    const reason: Reason = { kind: 'infrastructure', detail: `the load ended at ${held} users, before the target ${target}` };
    return { ...base, held_users: held, upper_users: null, valid: false, end: 'invalid', failed_step: { users: held, reasons: [reason], machine_bound: false, limit_binding: null } };
  }
  const failed = verdicts[failedIndex] as StepVerdict;
  const failed_step = { users: failed.users, reasons: failed.reasons, machine_bound: failed.machine_bound, limit_binding: failed.limit_binding };
  if (!failed.valid) return { ...base, held_users: held, upper_users: null, valid: false, end: 'invalid', failed_step };
  // the most it holds is the ladder step below the one that failed (which may lie below this trial's start)
  const below = [...ladder].reverse().find((u) => u < failed.users) ?? 0;
  return { ...base, held_users: held, upper_users: below, valid: true, end: 'objective', failed_step };
}

/**
 * The outcome of a trial whose load never ran: the stack did not come up. An API container
 * that was OOM-killed or exited on its own while starting is the configuration failing (valid,
 * at the first step); anything else is the infrastructure (invalid, retried).
 */
export function outcomeWithoutLoad(options: { ladder: readonly number[]; firstUsers: number; reasons: Reason[]; events: ContainerEvent[] }): TrialOutcome {
  const definite = options.reasons.some((r) => DEFINITE.has(r.kind));
  const below = [...options.ladder].reverse().find((u) => u < options.firstUsers) ?? 0;
  return {
    held_users: 0,
    upper_users: definite ? below : null,
    valid: definite,
    end: definite ? 'objective' : 'invalid',
    failed_step: { users: options.firstUsers, reasons: options.reasons, machine_bound: false, limit_binding: null },
    steps: [],
    events: options.events,
  };
}
