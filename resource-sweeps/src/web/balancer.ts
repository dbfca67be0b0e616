/**
 * The balancer's backends and their rates, from HAProxy's `/stats;csv` (pure; the CSV is parsed by
 * @rightsize/compose/haproxy-stats). The sweep's stack adapter reads only names and states to wait
 * for replicas; a person watching a sweep wants the numbers too: sessions now, requests per
 * second, answers by class, HAProxy's mean response time over its last 1024 requests.
 * `server-template` slots that Docker's DNS has not filled (`MAINT (resolution)`, no address)
 * are not backends and are left out.
 */
import { isUp, parseHaproxyCsv, serverRows, type HaproxyStatsRow } from '@rightsize/compose/haproxy-stats';
import { z } from 'zod';

const num = (v: string | undefined): number | null => (v === undefined || v.trim() === '' ? null : Number.isFinite(Number(v)) ? Number(v) : null);

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

function row(r: HaproxyStatsRow): BackendRow {
  return {
    proxy: r.pxname ?? '',
    server: r.svname ?? '',
    status: r.status ?? '',
    address: r.addr ? r.addr : null,
    check: r.check_status ? r.check_status : null,
    weight: num(r.weight),
    sessions_now: num(r.scur),
    rate: num(r.rate),
    sessions_total: num(r.stot),
    requests_total: num(r.req_tot),
    responses: { '2xx': num(r.hrsp_2xx), '4xx': num(r.hrsp_4xx), '5xx': num(r.hrsp_5xx) },
    response_time_ms: num(r.rtime),
    response_time_max_ms: num(r.rtime_max),
    last_change_s: num(r.lastchg),
  };
}

/** The stats CSV -> the `backend` proxy's frontend, backend total and real servers. */
export function parseBalancerCsv(text: string, options: { source: string; backend?: string; now?: Date }): BalancerView {
  const rows = parseHaproxyCsv(text);
  if (rows.length === 0) throw new Error(`not HAProxy stats CSV (no pxname, svname and status columns): ${text.slice(0, 80)}`);
  const backend = options.backend ?? 'api';
  const fe = rows.find((r) => r.pxname === backend && r.svname === 'FRONTEND');
  const be = rows.find((r) => r.pxname === backend && r.svname === 'BACKEND');
  const servers = serverRows(rows, backend).filter((r) => (r.addr ?? '') !== '').map(row);
  return {
    source: options.source,
    read_at: (options.now ?? new Date()).toISOString(),
    frontend: fe ? { name: fe.pxname ?? backend, sessions_now: num(fe.scur), request_rate: num(fe.req_rate), requests_total: num(fe.req_tot) } : null,
    backend: be ? row(be) : null,
    servers,
    up: servers.filter(isUp).length,
  };
}
