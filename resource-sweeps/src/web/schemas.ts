/**
 * One zod schema per request and response of the HTTP API: they validate requests, type the
 * handlers and are the OpenAPI document (GET /docs/json). Plans are validated by the plan
 * loader itself (parsePlanObject), so an API plan and a CLI plan are refused for the same keys.
 */
import { z } from 'zod';
import { TrialConfigSchema } from '../core/config-space.js';
import { parseDuration } from '../plan/units.js';
import { WINDOWS } from './live-stats.js';

export const RUN_ID = /^[A-Za-z0-9][\w.-]*$/;

export const StartSweepBodySchema = z
  .object({
    plan: z.record(z.string(), z.unknown()).optional().describe('a plan as JSON, every key as in the plan reference (resource-sweeps/README.md); omitted: the default plan'),
    quick: z.boolean().optional().describe('run the small plan (plans/quick.yaml) instead'),
    run_id: z.string().regex(RUN_ID, 'letters, digits, ".", "_" and "-"').optional().describe('name of the run folder (default <time>-<plan name>)'),
  })
  .strict();
export type StartSweepBody = z.infer<typeof StartSweepBodySchema>;

export const ResumeBodySchema = z.object({ run: z.string().min(1).describe('run id (a folder under the reports root) or a folder path') }).strict();

export const LocustStateSchema = z.enum(['ready', 'spawning', 'running', 'stopping', 'stopped']);
export type LocustState = z.infer<typeof LocustStateSchema>;

export const SweepStatusSchema = z
  .object({
    state: LocustStateSchema,
    /** what this server is doing */
    mode: z.enum(['idle', 'sweep', 'swarm']),
    sweep: z
      .object({
        run_id: z.string(),
        dir: z.string(),
        phase: z.enum(['running', 'stopping', 'done', 'stopped', 'failed']),
        started_at: z.string(),
        finished_at: z.string().nullable(),
        error: z.string().nullable(),
        trials_done: z.number().int(),
        trials_left: z.number().int().nullable(),
        eta_s: z.number().nullable(),
        current: z.object({ index: z.number().int(), attempt: z.number().int(), config: TrialConfigSchema, phase: z.string(), users: z.number().nullable() }).strict().nullable(),
        minimum: z.string().nullable(),
        report: z.object({ html: z.string(), md: z.string(), summary: z.string() }).strict().nullable(),
      })
      .strict()
      .nullable(),
  })
  .strict();
export type SweepStatus = z.infer<typeof SweepStatusSchema>;

const numberish = (what: string) =>
  z.union([z.number(), z.string().trim().min(1, `${what} is empty`)]).transform((v, ctx) => {
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isFinite(n)) {
      ctx.addIssue({ code: 'custom', message: `${what} must be a number, got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return n;
  });

/** POST /swarm, like Locust's: form-encoded or JSON. Limits come from the server's options. */
export function adhocLoadBodySchema(limits: { maxUsers: number; maxRunTimeS: number }) {
  return z
    .object({
      user_count: numberish('user_count').pipe(z.number().int('user_count must be a whole number').min(1).max(limits.maxUsers)).describe('users to run (closed model: each sends a prediction, then thinks 1-2.5 s)'),
      spawn_rate: numberish('spawn_rate').pipe(z.number().positive()).describe('users started per second'),
      host: z.string().trim().optional().describe('target base URL; loopback only (default: the server\'s --target, http://127.0.0.1:8080)'),
      run_time: z
        .union([z.number(), z.string().trim()])
        .optional()
        .transform((v, ctx) => {
          if (v === undefined || v === '') return undefined;
          const s = typeof v === 'number' ? v : parseDuration(v);
          if (s === null || !(s > 0)) {
            ctx.addIssue({ code: 'custom', message: `run_time must be a duration like "90s", "3m" or "1h20m", got ${JSON.stringify(v)}` });
            return z.NEVER;
          }
          if (s > limits.maxRunTimeS) {
            ctx.addIssue({ code: 'custom', message: `run_time ${s} s is above the limit of ${limits.maxRunTimeS} s: every ad-hoc load must stop by itself` });
            return z.NEVER;
          }
          return s;
        })
        .describe(`total time including spawning, e.g. "90s", "3m"; at most ${limits.maxRunTimeS} s`),
    })
    .strict();
}
export type AdhocLoadBody = z.output<ReturnType<typeof adhocLoadBodySchema>>;

export const AdhocLoadResponseSchema = z
  .object({
    success: z.literal(true),
    message: z.string(),
    host: z.string(),
    user_count: z.number(),
    spawn_rate: z.number(),
    run_time: z.number().describe('seconds; the load stops by itself then'),
    run_id: z.string(),
  })
  .strict();

export const StopResponseSchema = z
  .object({ success: z.literal(true), message: z.string(), stopped: z.enum(['sweep', 'swarm']), status: SweepStatusSchema })
  .strict();

const nn = z.number().nullable();
export const StatsRowSchema = z
  .object({
    method: z.string(),
    name: z.string(),
    safe_name: z.string(),
    num_requests: z.number().int(),
    num_failures: z.number().int(),
    avg_response_time: nn,
    min_response_time: nn,
    max_response_time: nn,
    median_response_time: nn,
    'response_time_percentile_0.95': nn,
    'response_time_percentile_0.99': nn,
    current_rps: z.number(),
    current_fail_per_sec: z.number(),
    total_rps: z.number(),
    total_fail_per_sec: z.number(),
    avg_content_length: nn,
  })
  .strict();

const BoundedSchema = z.object({ weighted: z.number(), upper: z.number() }).strict();
export const WindowStatsSchema = z
  .object({
    window_s: z.number(),
    seconds_with_load: z.number().int(),
    requests: z.number().int(),
    failures: z.number().int(),
    fail_ratio: nn,
    rps_mean: nn,
    rps_peak: nn,
    users_peak: nn,
    balancer_response_time_ms: nn,
    latency: z.object({ steps: z.number().int(), requests: z.number().int(), p50_ms: BoundedSchema, p95_ms: BoundedSchema, p99_ms: BoundedSchema, max_ms: z.number() }).strict().nullable(),
  })
  .strict();

export const WindowsSchema = z.object(Object.fromEntries(WINDOWS.map((w) => [w.name, WindowStatsSchema])) as Record<(typeof WINDOWS)[number]['name'], typeof WindowStatsSchema>).strict();

export const StatsRequestsSchema = z
  .object({
    state: LocustStateSchema,
    user_count: z.number(),
    total_rps: z.number().describe('requests / seconds since the run started (Locust >= 2.13 semantics)'),
    total_fail_per_sec: z.number(),
    current_rps: z.number().describe('mean over the last 10 complete seconds'),
    current_fail_per_sec: z.number(),
    fail_ratio: z.number(),
    current_response_time_percentiles: z.object({ 'response_time_percentile_0.5': nn, 'response_time_percentile_0.95': nn }).strict(),
    stats: z.array(StatsRowSchema),
    errors: z.array(z.object({ method: z.string(), name: z.string(), error: z.string(), occurrences: z.number().int() }).strict()),
    windows: WindowsSchema,
    latency_source: z.string().describe('where the percentiles come from, and why they may be null'),
    run: z.object({ kind: z.enum(['sweep', 'swarm']), id: z.string(), started_at: z.string(), label: z.string() }).strict().nullable(),
  })
  .strict();
export type StatsRequests = z.infer<typeof StatsRequestsSchema>;
