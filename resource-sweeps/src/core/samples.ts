/**
 * Per-second observations of the containers of a trial (one row per container per tick) and of
 * the host, plus how to read a window of them: CPU use against the limit, CFS throttling, memory
 * peak, OOM kills, restarts and exits. Counters are cumulative as the kernel keeps them; windows
 * take differences.
 */
import { z } from 'zod';

export const ContainerSampleSchema = z
  .object({
    /** epoch milliseconds */
    t: z.number(),
    id: z.string(),
    name: z.string(),
    /** compose service: api, lb, loadgen, ... */
    service: z.string(),
    running: z.boolean(),
    /** CPU use in % of one core over the last interval (docker stats' convention: 150 = 1.5 cores) */
    cpu_pct: z.number().nonnegative().nullable(),
    /** cumulative CFS counters from cpu.stat; null when unreadable */
    nr_periods: z.number().int().nonnegative().nullable(),
    nr_throttled: z.number().int().nonnegative().nullable(),
    throttled_s: z.number().nonnegative().nullable(),
    mem_mib: z.number().nonnegative().nullable(),
    /** the cgroup's high-water mark (memory.max_usage_in_bytes) */
    mem_peak_mib: z.number().nonnegative().nullable(),
    mem_limit_mib: z.number().nonnegative().nullable(),
    cpu_limit: z.number().nonnegative().nullable(),
    oom_killed: z.boolean(),
    restarts: z.number().int().nonnegative(),
    exit_code: z.number().int().nullable(),
    /** runtime swarm: the node the task ran on (hostname), its cgroups read by that node's sampler */
    node: z.string().optional(),
  })
  .strict();
export type ContainerSample = z.infer<typeof ContainerSampleSchema>;

export const HostSampleSchema = z
  .object({
    t: z.number(),
    /** busy share of all host cores over the last interval, 0..100 */
    cpu_pct: z.number().min(0).max(100),
    cores: z.number().int().positive(),
    /** share of the interval in which some runnable task waited for a CPU (PSI /proc/pressure/cpu "some"); null without PSI */
    cpu_pressure_pct: z.number().min(0).max(100).nullable(),
    mem_used_mib: z.number().nonnegative(),
  })
  .strict();
export type HostSample = z.infer<typeof HostSampleSchema>;

export interface Window {
  from: number;
  to: number;
}

export interface ContainerEvent {
  t: number;
  name: string;
  kind: 'oom' | 'restart' | 'exit';
  detail: string;
}

/**
 * OOM kills, restarts and exits of the given service's containers, as transitions between
 * consecutive samples of each container (a container's first sample counts against a clean
 * start: restarts 0, not OOM-killed, running).
 */
export function containerEvents(samples: readonly ContainerSample[], service: string): ContainerEvent[] {
  const last = new Map<string, ContainerSample>();
  const events: ContainerEvent[] = [];
  for (const s of [...samples].filter((x) => x.service === service).sort((a, b) => a.t - b.t)) {
    const prev = last.get(s.id);
    if (s.oom_killed && !prev?.oom_killed) events.push({ t: s.t, name: s.name, kind: 'oom', detail: `${s.name} was OOM-killed (limit ${s.mem_limit_mib ?? '?'} MiB)` });
    if (s.restarts > (prev?.restarts ?? 0)) events.push({ t: s.t, name: s.name, kind: 'restart', detail: `${s.name} restarted (restart count ${s.restarts})` });
    if (!s.running && (prev?.running ?? true) && !s.oom_killed)
      events.push({ t: s.t, name: s.name, kind: 'exit', detail: `${s.name} exited${s.exit_code === null ? '' : ` with code ${s.exit_code}`}` });
    last.set(s.id, s);
  }
  return events;
}

export interface ServiceUsage {
  containers: number;
  /** summed over the service's containers, % of one core */
  cpu_pct_avg: number | null;
  cpu_pct_max: number | null;
  /** the service's summed CPU limit in % of one core (2 replicas x 0.5 CPU = 100) */
  cpu_limit_pct: number | null;
  /** share of CFS periods in which the service was throttled, 0..1 */
  throttled_ratio: number | null;
  /** highest memory use sampled in the window, one container, MiB */
  mem_max_mib: number | null;
  /** highest cgroup high-water mark (memory.max_usage_in_bytes) at the window's end: since the container started */
  mem_high_water_mib: number | null;
  mem_limit_mib: number | null;
}

function mean(values: number[]): number | null {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

/** CPU, throttling and memory of one service over a time window. */
export function serviceUsage(samples: readonly ContainerSample[], service: string, window: Window): ServiceUsage {
  const inWindow = samples.filter((s) => s.service === service && s.t >= window.from && s.t <= window.to);
  const ids = [...new Set(inWindow.map((s) => s.id))];
  const byTick = new Map<number, number>();
  // the sampler stamps every container of one tick with the same time: sum replicas per tick
  for (const s of inWindow) if (s.cpu_pct !== null) byTick.set(s.t, (byTick.get(s.t) ?? 0) + s.cpu_pct);
  const cpu = [...byTick.values()];
  let periods = 0;
  let throttled = 0;
  let max: number | null = null;
  let highWater: number | null = null;
  let limitMem: number | null = null;
  let limitCpu: number | null = null;
  for (const id of ids) {
    const rows = inWindow.filter((s) => s.id === id);
    const first = rows[0] as ContainerSample;
    const lastRow = rows[rows.length - 1] as ContainerSample;
    if (first.nr_periods !== null && lastRow.nr_periods !== null && first.nr_throttled !== null && lastRow.nr_throttled !== null) {
      periods += Math.max(0, lastRow.nr_periods - first.nr_periods);
      throttled += Math.max(0, lastRow.nr_throttled - first.nr_throttled);
    }
    for (const r of rows) if (r.mem_mib !== null) max = Math.max(max ?? 0, r.mem_mib);
    if (lastRow.mem_peak_mib !== null) highWater = Math.max(highWater ?? 0, lastRow.mem_peak_mib);
    if (lastRow.mem_limit_mib !== null) limitMem = lastRow.mem_limit_mib;
    if (lastRow.cpu_limit !== null) limitCpu = (limitCpu ?? 0) + lastRow.cpu_limit * 100;
  }
  return {
    containers: ids.length,
    cpu_pct_avg: mean(cpu),
    cpu_pct_max: cpu.length ? Math.max(...cpu) : null,
    cpu_limit_pct: limitCpu,
    throttled_ratio: periods > 0 ? throttled / periods : null,
    mem_max_mib: max,
    mem_high_water_mib: highWater,
    mem_limit_mib: limitMem,
  };
}

/** Mean host CPU busy % and CPU pressure % over a window, null without samples. */
export function hostStats(samples: readonly HostSample[], window: Window): { cpu_pct: number | null; cpu_pressure_pct: number | null } {
  const inWindow = samples.filter((s) => s.t >= window.from && s.t <= window.to);
  return {
    cpu_pct: mean(inWindow.map((s) => s.cpu_pct)),
    cpu_pressure_pct: mean(inWindow.flatMap((s) => (s.cpu_pressure_pct === null ? [] : [s.cpu_pressure_pct]))),
  };
}

/**
 * Whether the API's own limits were what it ran into during a window: throttled in at least
 * 10 % of CFS periods, or using 80 % of its CPU limit, or 90 % of its memory limit. Null
 * without samples.
 */
export function isLimitBinding(usage: ServiceUsage): boolean | null {
  if (usage.containers === 0) return null;
  const throttled = (usage.throttled_ratio ?? 0) >= 0.1;
  const cpu = usage.cpu_pct_avg !== null && usage.cpu_limit_pct ? usage.cpu_pct_avg >= 0.8 * usage.cpu_limit_pct : false;
  const mem = usage.mem_max_mib !== null && usage.mem_limit_mib ? usage.mem_max_mib >= 0.9 * usage.mem_limit_mib : false;
  return throttled || cpu || mem;
}
