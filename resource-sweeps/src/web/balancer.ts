/**
 * What the live page shows of the balancer: its backends and their rates (sessions now, requests
 * per second, answers by class, HAProxy's mean response time over its last 1024 requests). The
 * schemas only: adapters/balancer-view.ts reads them from HAProxy's `/stats;csv`.
 */
import { z } from 'zod';

export const BackendRowSchema = z
  .object({
    proxy: z.string(),
    server: z.string(),
    status: z.string(),
    address: z.string().nullable(),
    check: z.string().nullable(),
    weight: z.number().nullable(),
    sessions_now: z.number().nullable(),
    /** sessions per second over the last second */
    rate: z.number().nullable(),
    sessions_total: z.number().nullable(),
    requests_total: z.number().nullable(),
    responses: z.object({ '2xx': z.number().nullable(), '4xx': z.number().nullable(), '5xx': z.number().nullable() }).strict(),
    /** HAProxy's mean response time over the last 1024 requests, ms */
    response_time_ms: z.number().nullable(),
    response_time_max_ms: z.number().nullable(),
    /** seconds since the last state change */
    last_change_s: z.number().nullable(),
  })
  .strict();
export type BackendRow = z.infer<typeof BackendRowSchema>;

export const BalancerViewSchema = z
  .object({
    source: z.string().describe('the stats URL read'),
    read_at: z.string(),
    frontend: z.object({ name: z.string(), sessions_now: z.number().nullable(), request_rate: z.number().nullable(), requests_total: z.number().nullable() }).strict().nullable(),
    backend: BackendRowSchema.nullable().describe('the backend as a whole (HAProxy BACKEND row)'),
    servers: z.array(BackendRowSchema),
    up: z.number().int(),
  })
  .strict();
export type BalancerView = z.infer<typeof BalancerViewSchema>;
