/**
 * summary.json: the sweep's answer with its evidence. Derived from run.json + results.jsonl
 * (derive-summary.ts) and the only input of report.md / report.html / --compare.
 */
import { z } from 'zod';
import { TrialConfigSchema } from '../core/config-space.js';
import { ReasonSchema } from '../core/trial-outcome.js';
import { MachineSchema } from '../results/trial-record.js';
import { SweepPlanSchema } from '../plan/plan-schema.js';

export const SUMMARY_SCHEMA_ID = 'rightsize.sweep-summary/v1';

const n = z.number();
const nn = z.number().nullable();

export const AtStepSchema = z
  .object({
    users: n,
    p95_ms: n,
    p99_ms: n,
    error_rate: n,
    rps: n,
    /** API CPU use in % of its summed limit */
    cpu_pct_of_limit: nn,
    throttled_ratio: nn,
    mem_max_mib: nn,
    mem_limit_mib: nn,
    host_cpu_pct: nn,
    host_cpu_pressure_pct: nn,
  })
  .strict();
export type AtStep = z.infer<typeof AtStepSchema>;

export const EvidenceSchema = z
  .object({
    config: TrialConfigSchema,
    total_cpus: n,
    total_memory_mib: n,
    status: z.enum(['pass', 'fail', 'unknown']),
    /** largest load known to hold (users), measured or inferred */
    held_users: n,
    /** most it can hold, null when unknown */
    upper_users: nn,
    measured: z.boolean(),
    /** the trial that decides its status when measured */
    trial_index: z.number().int().nullable(),
    /** when not measured: which measured configuration implies the status */
    inferred_from: z.object({ config: TrialConfigSchema, trial_index: z.number().int(), why: z.string() }).strict().nullable(),
    /** the highest step it held, from its own trial */
    at_held: AtStepSchema.nullable(),
    /** the step it failed at, from its own trial */
    failure: z.object({ users: n, reasons: z.array(ReasonSchema), machine_bound: z.boolean(), limit_binding: z.boolean().nullable(), at: AtStepSchema.nullable() }).strict().nullable(),
    /** its API limits plus the generator's CPUs exceed the host's cores */
    oversubscribed: z.boolean(),
  })
  .strict();
export type Evidence = z.infer<typeof EvidenceSchema>;

export const ReplicaSummarySchema = z
  .object({
    replicas: z.number().int(),
    best: EvidenceSchema.nullable(),
    /** the next cheaper configurations and why they do not pass */
    cheaper: z.array(EvidenceSchema),
    undecided: z.array(EvidenceSchema),
    /** the most any configuration of this replica count is known to hold */
    max_held: EvidenceSchema.nullable(),
  })
  .strict();
export type ReplicaSummary = z.infer<typeof ReplicaSummarySchema>;

export const TrialRowSchema = z
  .object({
    index: z.number().int(),
    attempt: z.number().int(),
    config: TrialConfigSchema,
    start_users: n,
    held_users: n,
    upper_users: nn,
    end: z.enum(['target', 'objective', 'invalid']),
    valid: z.boolean(),
    failed_users: nn,
    reasons: z.array(ReasonSchema),
    machine_bound: z.boolean(),
    /** the failing step ran into the API's own limits (null: unknown or nothing failed) */
    limit_binding: z.boolean().nullable(),
    duration_s: n,
    /** a first-step failure the search ran again from lower (search.rerun_first_step_failure): the index of that re-run, which counts instead */
    rerun_as: z.number().int().nullable().optional(),
    /** a boundary confirmation: the second run of a configuration the answer rests on */
    confirmation: z.boolean().optional(),
    /** the load before its first judged step (not judged); null: none */
    warmup: z.object({ users: n, requests: z.number().int(), rps: n, p95_ms: n, error_rate: n }).strict().nullable().optional(),
    steps: z.array(
      z
        .object({
          users: n,
          pass: z.boolean(),
          valid: z.boolean(),
          p95_ms: n,
          error_rate: n,
          rps: n,
          cpu_pct: nn,
          cpu_limit_pct: nn,
          mem_max_mib: nn,
          mem_limit_mib: nn,
          throttled_ratio: nn,
          host_cpu_pct: nn,
          host_cpu_pressure_pct: nn,
          limit_binding: z.boolean().nullable(),
          generator_cpu_pct: nn,
        })
        .strict(),
    ),
  })
  .strict();
export type TrialRow = z.infer<typeof TrialRowSchema>;

export const FindingsSchema = z
  .object({
    /** the minimum for the target load */
    minimum: z.string(),
    /** what adding replicas did */
    replicas: z.string(),
    /** can resources go lower */
    lower: z.string(),
    /** where the machine, not the configuration, was the limit */
    machine: z.string(),
    caveats: z.array(z.string()),
  })
  .strict();
export type Findings = z.infer<typeof FindingsSchema>;

export const SummarySchema = z
  .object({
    schema: z.literal(SUMMARY_SCHEMA_ID),
    run_id: z.string(),
    plan_source: z.string(),
    plan: SweepPlanSchema,
    machine: MachineSchema,
    git_commit: z.string().nullable(),
    created_at: z.string(),
    generated_at: z.string(),
    /** the search finished (false: interrupted, resume to complete) */
    complete: z.boolean(),
    target_users: n,
    counts: z
      .object({
        trials: z.number().int(),
        valid: z.number().int(),
        invalid: z.number().int(),
        configurations_measured: z.number().int(),
        grid_size: z.number().int(),
        /** seconds under load, summed over trials */
        load_seconds: n,
        /** seconds of trials (stack up, warm-up, load, tear-down), summed */
        trial_seconds: n,
        /** from the run's creation to its last trial's end (complete) or to this summary (partial); includes any pause before --resume */
        wall_seconds: n,
      })
      .strict(),
    overall: EvidenceSchema.nullable(),
    per_replicas: z.array(ReplicaSummarySchema),
    /** every configuration of the grid: the pass/fail map */
    configs: z.array(EvidenceSchema),
    trials: z.array(TrialRowSchema),
    /** measured pairs that contradict "more resources never hurt" */
    /**
     * boundary confirmation (search.confirm_boundary): each configuration run a second time, its
     * counted runs and whether they agree at the target; absent in older summaries
     */
    confirmations: z
      .array(
        z
          .object({
            config: TrialConfigSchema,
            runs: z.array(z.object({ trial_index: z.number().int(), held_users: n, failed_users: nn, pass: z.boolean(), p95_ms_at_end: nn }).strict()),
            agree: z.boolean(),
            /** the status the runs leave it with: pass, fail, or unknown when they disagree */
            status: z.enum(['pass', 'fail', 'unknown']),
          })
          .strict(),
      )
      .optional(),
    monotonicity_violations: z.array(z.object({ smaller: TrialConfigSchema, larger: TrialConfigSchema, detail: z.string() }).strict()),
    findings: FindingsSchema,
  })
  .strict();
export type Summary = z.infer<typeof SummarySchema>;
