/**
 * HAProxy's `/stats;csv` -> the live page's BalancerView (the CSV itself is parsed by
 * @rightsize/compose/haproxy-stats). The sweep's stack adapter reads only names and states to
 * wait for replicas; a person watching a sweep wants the numbers too. `server-template` slots
 * that Docker's DNS has not filled (`MAINT (resolution)`, no address) are not backends and are
 * left out.
 */
import { isUp, parseHaproxyCsv, serverRows, type HaproxyStatsRow } from '@rightsize/compose/haproxy-stats';
import type { BackendRow, BalancerView } from '../web/balancer.js';

const num = (v: string | undefined): number | null => (v === undefined || v.trim() === '' ? null : Number.isFinite(Number(v)) ? Number(v) : null);

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
