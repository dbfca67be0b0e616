/**
 * HAProxy's stats CSV (`/stats;csv`, compose/haproxy), parsed once for everyone who reads it:
 * the sweep waiting for every replica UP behind the balancer, the sweep's web page showing the
 * backends' rates, and the stack's tests. Pure; fetching is the caller's business.
 */

/** One row of the CSV, every column by its header name (`pxname`, `svname`, `status`, `scur`, `req_tot`, ...). */
export interface HaproxyStatsRow {
  pxname: string;
  svname: string;
  status: string;
  [column: string]: string;
}

/** The CSV's rows; text without the `pxname`, `svname` and `status` columns (an error page) has none. */
export function parseHaproxyCsv(text: string): HaproxyStatsRow[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.replace(/^#\s*/, '').split(',') ?? [];
  if (!['pxname', 'svname', 'status'].every((c) => header.includes(c))) return [];
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])) as HaproxyStatsRow;
  });
}

/** Server rows (not the FRONTEND/BACKEND aggregates), of one proxy or of all. */
export function serverRows(rows: readonly HaproxyStatsRow[], proxy?: string): HaproxyStatsRow[] {
  return rows.filter((r) => (proxy === undefined || r.pxname === proxy) && r.svname !== 'FRONTEND' && r.svname !== 'BACKEND');
}

/** UP, including "UP 1/3" (up, one failed check). Server-template slots without an address read MAINT. */
export const isUp = (row: Pick<HaproxyStatsRow, 'status'>): boolean => /^UP/.test(row.status);
