/**
 * `rightsize.load-raw/v1`: what an engine hands the runner at the end of a run, before the
 * runner adds generator health. k6 writes it from handleSummary (loadtest/k6/lib/summary.ts),
 * the Locust listener from its per-step histograms (loadtest/locust/step_stats.py). Validated
 * on read so an engine/script mismatch fails with the offending path, not a wrong number.
 */
import { formatIssues } from '@rightsize/compose/kit/issues';
import { z } from 'zod';
import { LoadError } from './errors.js';
import { ENGINE_NAMES } from './summary-schema.js';

export const RAW_SCHEMA_ID = 'rightsize.load-raw/v1';

const count = z.number().int().nonnegative();
const ms = z.number().finite().nonnegative();

export const RawLatencySchema = z.object({ avg: ms, p50: ms, p90: ms, p95: ms, p99: ms, max: ms, count });
export type RawLatency = z.infer<typeof RawLatencySchema>;

/** pacer/histogram.ts's HistogramData: non-zero buckets as [index, count] pairs */
export const RawHistogramSchema = z.object({
  count,
  sum_us: z.number().finite(),
  min_us: z.number().finite().nullable(),
  max_us: z.number().finite(),
  buckets: z.array(z.tuple([count, count])),
});
export type RawHistogram = z.infer<typeof RawHistogramSchema>;

export const PlannedStepSchema = z.object({
  index: count,
  kind: z.enum(['users', 'rate']),
  target: z.number().nonnegative(),
  previous: z.number().nonnegative(),
  users: z.number().nonnegative().nullable(),
  rampStartS: z.number().nonnegative(),
  holdStartS: z.number().nonnegative(),
  endS: z.number().nonnegative(),
});

export const RawStepSchema = z.object({
  index: count,
  requests: count,
  latency: RawLatencySchema,
  /** requests k6/Locust counted as failed (status outside 200-399 or no response) */
  failed: count,
  errors: z.object({ http4xx: count, http5xx: count, timeouts: count, connection: count }),
  checks: z.object({ passes: count, fails: count }),
  /** open model: iterations started in the step (k6 arrival) */
  started: count.nullable(),
  /** iterations dropped, when the engine attributes them to steps itself (poisson) */
  dropped: count.nullable(),
  /** latency over the step's hold after its warm-up: what the latency objective judges */
  slo_latency: RawLatencySchema,
  /** failed / requests over the whole step: what the error objective judges */
  slo_error_rate: z.number().min(0).max(1),
  /** the pacer: how late it sent each request against its due time */
  send_lag: RawLatencySchema.optional(),
  /** the pacer: the step's histograms themselves, so several instances' steps merge exactly */
  histograms: z.object({ latency: RawHistogramSchema, slo_latency: RawHistogramSchema, send_lag: RawHistogramSchema }).optional(),
});
export type RawStep = z.infer<typeof RawStepSchema>;

export const RawResultSchema = z.object({
  schema: z.literal(RAW_SCHEMA_ID),
  engine: z.enum(ENGINE_NAMES),
  /** Locust knows its version; k6 scripts cannot (the runner asks the binary or the image tag) */
  engine_version: z.string().nullable().optional(),
  scenario: z.enum(['steps', 'arrival', 'poisson']),
  target_url: z.string(),
  /** wall-clock ms when the test clock started (the step offsets count from here) */
  t0_ms: z.number().nullable(),
  test_run_duration_ms: z.number().nonnegative(),
  plan: z.object({
    scenario: z.enum(['steps', 'arrival', 'poisson']),
    model: z.enum(['closed', 'open']),
    steps: z.array(PlannedStepSchema).min(1),
    durationS: z.number().nonnegative(),
    meanThinkS: z.number().nonnegative(),
  }),
  objective: z.object({ p95_ms: z.number().positive().nullable(), p99_ms: z.number().positive().nullable(), max_error_rate: z.number().min(0).max(1) }),
  think_time_s: z.object({ min: z.number().nonnegative(), max: z.number().nonnegative() }).nullable(),
  steps: z.array(RawStepSchema),
  totals: z.object({
    requests: count,
    latency: RawLatencySchema,
    failed: count,
    dropped_iterations: count,
    iterations: count,
    vus_max: count,
  }),
  /** thresholds that failed, e.g. {metric: 'rs_slo_latency{step:3}', threshold: 'p(95)<=200'} */
  failed_thresholds: z.array(z.object({ metric: z.string(), threshold: z.string() })),
  /** Locust only: the shape stopped the run because a step broke the objective */
  abort: z.object({ step: count, reason: z.string() }).nullable().optional(),
});
export type RawResult = z.infer<typeof RawResultSchema>;

export function parseRawResult(value: unknown, source: string): RawResult {
  const parsed = RawResultSchema.safeParse(value);
  if (!parsed.success) {
    const issues = formatIssues(parsed.error.issues, { limit: 12 });
    throw new LoadError('LOAD_ERR_BAD_RESULT', `${source}: not a valid ${RAW_SCHEMA_ID} result:\n  ${issues.join('\n  ')}`);
  }
  return parsed.data;
}
