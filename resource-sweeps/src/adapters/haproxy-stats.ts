/**
 * HAProxy's stats CSV (`/stats;csv`): which API backends the balancer sees and whether they are
 * UP. A trial starts its load only when every replica is UP behind the balancer; otherwise the
 * first steps would measure fewer replicas than the configuration has.
 */

export interface BackendServer {
  proxy: string;
  server: string;
  status: string;
}

/** Server rows (not FRONTEND/BACKEND aggregates) of the stats CSV. */
export function parseHaproxyCsv(text: string): BackendServer[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.replace(/^#\s*/, '').split(',') ?? [];
  const col = (name: string) => header.indexOf(name);
  const [px, sv, st] = [col('pxname'), col('svname'), col('status')];
  if (px < 0 || sv < 0 || st < 0) return [];
  return lines
    .slice(1)
    .map((l) => l.split(','))
    .filter((cells) => cells[sv] !== 'FRONTEND' && cells[sv] !== 'BACKEND')
    .map((cells) => ({ proxy: cells[px] ?? '', server: cells[sv] ?? '', status: cells[st] ?? '' }));
}

/** Servers of the given backend that are UP (server-template slots without an address read MAINT). */
export function upServers(servers: readonly BackendServer[], proxy?: string): BackendServer[] {
  return servers.filter((s) => (proxy === undefined || s.proxy === proxy) && /^UP/.test(s.status));
}
