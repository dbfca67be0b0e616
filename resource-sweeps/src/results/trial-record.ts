/**
 * One line of results.jsonl: a finished trial (one attempt at one configuration), written the
 * moment it ends. Everything the summary and the reports show is derived from these lines and
 * run.json, so they carry the evidence, not just the verdict.
 */
import { z } from 'zod';
import { TrialConfigSchema } from '../core/config-space.js';
import { ServiceUsageSchema, TrialOutcomeSchema } from '../core/trial-outcome.js';
import { SweepPlanSchema } from '../plan/plan-schema.js';

export const TRIAL_SCHEMA_ID = 'rightsize.sweep-trial/v1';
export const RUN_SCHEMA_ID = 'rightsize.sweep-run/v1';

export const TrialRecordSchema = z
  .object({
    schema: z.literal(TRIAL_SCHEMA_ID),
    run_id: z.string(),
    /** 0, 1, 2 ... in the order trials ran */
    index: z.number().int().nonnegative(),
    attempt: z.number().int().positive(),
    config: TrialConfigSchema,
    start_users: z.number().nonnegative(),
    /** what a smaller configuration had already held when this trial started */
    known_held_users: z.number().nonnegative(),
    started_at: z.string(),
    finished_at: z.string(),
    duration_s: z.number().nonnegative(),
    outcome: TrialOutcomeSchema,
    /** usage over the whole load phase, per service */
    usage: z.record(z.string(), ServiceUsageSchema),
    load: z
      .object({
        engine: z.string(),
        engine_version: z.string(),
        target_url: z.string(),
        /** run-folder-relative path of the raw load summary, null when the load never ran */
        summary_file: z.string().nullable(),
      })
      .strict(),
    /** the load before the first judged step (trial.warmup), not judged; null: none; absent in older runs */
    warmup: z
      .object({
        users: z.number().nonnegative(),
        offered_rps: z.number().nonnegative().nullable(),
        requests: z.number().int().nonnegative(),
        rps: z.number().nonnegative(),
        p95_ms: z.number().nonnegative(),
        error_rate: z.number().min(0).max(1),
        duration_s: z.number().nonnegative(),
        /** run-folder-relative path of its load summary */
        summary_file: z.string().nullable(),
      })
      .strict()
      .nullable()
      .optional(),
    /** a boundary confirmation (search.confirm_boundary): the second run of a configuration the answer rests on */
    confirmation: z.boolean().optional(),
    /** run-folder-relative path of the per-second samples */
    samples_file: z.string().nullable(),
    /** infrastructure problems met on the way (already reflected in the outcome) */
    notes: z.array(z.string()),
  })
  .strict();
export type TrialRecord = z.infer<typeof TrialRecordSchema>;

export const MachineSchema = z
  .object({
    hostname: z.string(),
    cores: z.number().int().positive(),
    mem_mib: z.number().nonnegative(),
    node: z.string(),
    docker: z.string().nullable(),
    compose: z.string().nullable(),
    /** 1-minute load average when the run started: how busy the machine already was */
    loadavg_1m: z.number().nonnegative(),
  })
  .strict();
export type Machine = z.infer<typeof MachineSchema>;

/** run.json: what a run was asked to do, so --resume continues the same sweep. */
export const RunMetaSchema = z
  .object({
    schema: z.literal(RUN_SCHEMA_ID),
    run_id: z.string(),
    created_at: z.string(),
    /** where the plan came from: a file path, "default", "quick" or "api" */
    plan_source: z.string(),
    plan: SweepPlanSchema,
    machine: MachineSchema,
    git_commit: z.string().nullable(),
  })
  .strict();
export type RunMeta = z.infer<typeof RunMetaSchema>;
