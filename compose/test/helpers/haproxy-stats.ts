/** HAProxy's `/stats;csv`, read live from the stack under test (parsed by src/haproxy-stats.ts). */
import { parseHaproxyCsv, serverRows, type HaproxyStatsRow } from '../../src/haproxy-stats.js';

/** Backend servers that the balancer filled from DNS (not the MAINT slots of the server template). */
export function apiServers(rows: HaproxyStatsRow[], backend = 'api'): HaproxyStatsRow[] {
  return serverRows(rows, backend).filter((r) => !r.status.startsWith('MAINT'));
}

export async function readStats(url: string): Promise<HaproxyStatsRow[]> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return parseHaproxyCsv(await res.text());
}
