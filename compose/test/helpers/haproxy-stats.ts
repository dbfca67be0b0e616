/** HAProxy's `/stats;csv`, parsed into rows keyed by column name. */
export interface StatsRow {
  pxname: string;
  svname: string;
  status: string;
  [column: string]: string;
}

export function parseStatsCsv(text: string): StatsRow[] {
  const lines = text.split('\n').filter((l) => l.trim());
  const header = lines.shift()?.replace(/^#\s*/, '').split(',') ?? [];
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])) as StatsRow;
  });
}

/** Backend servers (not FRONTEND/BACKEND aggregate rows) that the balancer filled from DNS. */
export function apiServers(rows: StatsRow[], backend = 'api'): StatsRow[] {
  return rows.filter((r) => r.pxname === backend && r.svname !== 'BACKEND' && r.svname !== 'FRONTEND' && !r.status.startsWith('MAINT'));
}

export async function readStats(url: string): Promise<StatsRow[]> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return parseStatsCsv(await res.text());
}
