/**
 * The per-step load summary: what every load engine (k6, Locust, the pacer) writes and what the sweep
 * reads. One schema, validated when read (`parseLoadSummary`), so a run from either engine,
 * or from an older version of this project, is rejected with the offending path instead of
 * being half-understood.
 */
import { formatIssues } from '@rightsize/compose/kit/issues';
import { z } from 'zod';
import { LoadError } from './errors.js';

export const LOAD_SUMMARY_SCHEMA_ID = 'rightsize.load-summary/v1';

/** The load generators a run can use: k6 and Locust, and the project's own open-model pacer (loadtest/pacer/). */
export const ENGINE_NAMES = ['k6', 'locust', 'pacer'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

const nonNegative = z.number().finite().nonnegative();
const ms = nonNegative.describe('milliseconds');

export const LatencySchema = z
  .object({
    avg: ms,
    p50: ms,
    p90: ms,
    p95: ms,
    p99: ms,
    max: ms,
  })
  .strict();
export type Latency = z.infer<typeof LatencySchema>;

/** Failed requests split by class. `total` = the sum of the classes. */
export const ErrorsSchema = z
  .object({
    total: z.number().int().nonnegative(),
    /** failed / requests, 0..1 */
    rate: z.number().min(0).max(1),
    http4xx: z.number().int().nonnegative(),
    http5xx: z.number().int().nonnegative(),
    timeouts: z.number().int().nonnegative(),
    /** connection refused/reset, DNS, TLS: the request never got a status */
    connection: z.number().int().nonnegative(),
  })
  .strict();
export type Errors = z.infer<typeof ErrorsSchema>;

/** The load generator's own health during a step; a saturated generator invalidates the step. */
const generatorHealthFields = {
  /** CPU use of the generator as % of its own CPU share (100 = its whole limit) */
  cpu_pct_avg: nonNegative.nullable(),
  cpu_pct_max: nonNegative.nullable(),
  mem_mb_max: nonNegative.nullable(),
  /**
   * % of its runnable time the generator waited for a CPU (run-queue delay from schedstat):
   * other work on the machine or its own CPU limit holding it back. Optional: summaries
   * written before it existed have none.
   */
  cpu_wait_pct: nonNegative.nullable().optional(),
  /** achieved / offered request rate (open model); null for a closed model */
  achieved_ratio: nonNegative.nullable(),
  /**
   * p95 of how late the generator sent the step's requests against their due times (ms): its
   * own timer and CPU, part of every latency it measures. The pacer measures it; k6 and Locust
   * cannot (null or absent).
   */
  send_lag_p95_ms: nonNegative.nullable().optional(),
  valid: z.boolean(),
  /** why the step is invalid, e.g. "dropped_iterations=12", "generator cpu 93% > 80%" */
  reasons: z.array(z.string()),
};
/** One generator instance's health during a step (a run split across instances has one each). */
export const InstanceHealthSchema = z.object(generatorHealthFields).strict();
export const GeneratorHealthSchema = z
  .object({
    ...generatorHealthFields,
    /**
     * A run split across N generator instances (`generators: N`): each instance's own health,
     * in instance order. The step is valid only when every one is; the reasons above then name
     * the instance ("generator 2 of 2: ..."). Absent for one generator.
     */
    instances: z.array(InstanceHealthSchema).optional(),
  })
  .strict();
export type GeneratorHealth = z.infer<typeof GeneratorHealthSchema>;

export const StepSchema = z
  .object({
    index: z.number().int().nonnegative(),
    /** closed model: concurrent users; open model: iterations (requests) per second offered */
    target: z.object({ kind: z.enum(['users', 'rate']), value: nonNegative }).strict(),
    /** offsets from the run's start, seconds: the ramp into the step and its hold */
    ramp_start_s: nonNegative,
    hold_start_s: nonNegative,
    end_s: nonNegative,
    /** requests completed during the step (ramp and hold) */
    requests: z.number().int().nonnegative(),
    /** requests per second achieved during the step */
    rps: nonNegative,
    /** the request rate the step meant to offer (open model: the target; closed model: users / mean think time estimate) */
    offered_rps: nonNegative.nullable(),
    latency_ms: LatencySchema,
    errors: ErrorsSchema,
    dropped_iterations: z.number().int().nonnegative(),
    checks: z.object({ passes: z.number().int().nonnegative(), fails: z.number().int().nonnegative() }).strict(),
    /** true when the step ran to its end; false for the step an abort cut short */
    completed: z.boolean(),
    generator: GeneratorHealthSchema,
  })
  .strict();
export type Step = z.infer<typeof StepSchema>;

export const ObjectiveSchema = z
  .object({
    p95_ms: z.number().positive().nullable(),
    p99_ms: z.number().positive().nullable(),
    max_error_rate: z.number().min(0).max(1),
  })
  .strict();
export type Objective = z.infer<typeof ObjectiveSchema>;

export const LoadSummarySchema = z
  .object({
    schema: z.literal(LOAD_SUMMARY_SCHEMA_ID),
    engine: z.enum(ENGINE_NAMES),
    engine_version: z.string(),
    scenario: z.enum(['steps', 'arrival', 'poisson']),
    model: z.enum(['closed', 'open']),
    target_url: z.string(),
    started_at: z.string().datetime({ offset: true }),
    finished_at: z.string().datetime({ offset: true }),
    /** the objective the run was checked against (abortOnFail thresholds) */
    objective: ObjectiveSchema,
    think_time_s: z.object({ min: nonNegative, max: nonNegative }).strict().nullable(),
    /** true when a threshold ended the run before the last step */
    aborted: z.boolean(),
    abort_reason: z.string().nullable(),
    steps: z.array(StepSchema),
    /** generator instances the run was split across (absent = 1); per-step numbers are their exact merge */
    generators: z.number().int().min(1).optional(),
    totals: z
      .object({
        requests: z.number().int().nonnegative(),
        rps: nonNegative,
        latency_ms: LatencySchema,
        errors: ErrorsSchema,
        dropped_iterations: z.number().int().nonnegative(),
        duration_s: nonNegative,
      })
      .strict(),
  })
  .strict();
export type LoadSummary = z.infer<typeof LoadSummarySchema>;

/** Validates an unknown value (e.g. JSON.parse of a summary file); LOAD_ERR_BAD_RESULT names every bad path. */
export function parseLoadSummary(value: unknown, source = 'load summary'): LoadSummary {
  const result = LoadSummarySchema.safeParse(value);
  if (!result.success) {
    const issues = formatIssues(result.error.issues);
    throw new LoadError('LOAD_ERR_BAD_RESULT', `${source}: not a valid ${LOAD_SUMMARY_SCHEMA_ID} summary:\n  ${issues.join('\n  ')}`, { issues });
  }
  return result.data;
}
