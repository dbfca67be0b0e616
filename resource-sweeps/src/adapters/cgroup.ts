/**
 * Per-container CPU, throttling, memory and OOM counters read straight from the host's cgroup
 * files: cheaper and finer than `docker stats` (which takes a second or two per call), so one
 * sample per second per container costs almost nothing. cgroup v1 (this machine: Docker 20.10,
 * cgroupfs driver) and v2 layouts are both found; null fields mean "this kernel does not say".
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface CgroupReading {
  /** cumulative CPU time, nanoseconds */
  cpu_ns: number | null;
  nr_periods: number | null;
  nr_throttled: number | null;
  throttled_ns: number | null;
  /** current use without inactive page cache (what `docker stats` shows), bytes */
  mem_bytes: number | null;
  /** high-water mark since the container started, bytes */
  mem_peak_bytes: number | null;
  mem_limit_bytes: number | null;
  /** OOM kills inside the cgroup so far */
  oom_kills: number | null;
}

/** "key value" lines (cpu.stat, memory.stat, memory.oom_control, memory.events) -> numbers. */
export function parseKeyValues(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^-?\d+$/.test(value)) out[key] = Number(value);
  }
  return out;
}

/** A single-number file ("max" = no limit = null). */
export function parseNumber(text: string): number | null {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : null;
}

async function read(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}

async function firstDir(candidates: string[]): Promise<string | null> {
  for (const dir of candidates) if ((await read(path.join(dir, 'cgroup.procs'))) !== null) return dir;
  return null;
}

/** No memory limit in cgroup v1 reads as a huge number (page-rounded LONG_MAX). */
const V1_UNLIMITED = 2 ** 62;

export interface CgroupReader {
  read(containerId: string): Promise<CgroupReading | null>;
}

export function createCgroupReader(options: { root?: string } = {}): CgroupReader {
  const root = options.root ?? '/sys/fs/cgroup';
  const located = new Map<string, Promise<{ v: 1; cpu: string; cpuacct: string; memory: string } | { v: 2; dir: string } | null>>();

  const locate = (id: string) => {
    let found = located.get(id);
    if (!found) {
      found = (async () => {
        const v1 = (controller: string) => [path.join(root, controller, 'docker', id), path.join(root, controller, 'system.slice', `docker-${id}.scope`)];
        const cpu = await firstDir([...v1('cpu'), ...v1('cpu,cpuacct')]);
        const cpuacct = await firstDir([...v1('cpuacct'), ...v1('cpu,cpuacct')]);
        const memory = await firstDir(v1('memory'));
        if (cpu && cpuacct && memory) return { v: 1 as const, cpu, cpuacct, memory };
        const dir = await firstDir([path.join(root, 'system.slice', `docker-${id}.scope`), path.join(root, 'docker', id)]);
        return dir ? { v: 2 as const, dir } : null;
      })();
      located.set(id, found);
    }
    return found;
  };

  return {
    async read(id) {
      const where = await locate(id);
      if (!where) return null;
      if (where.v === 1) {
        const [usage, cpuStat, memUsage, memStat, memMax, memLimit, oom] = await Promise.all([
          read(path.join(where.cpuacct, 'cpuacct.usage')),
          read(path.join(where.cpu, 'cpu.stat')),
          read(path.join(where.memory, 'memory.usage_in_bytes')),
          read(path.join(where.memory, 'memory.stat')),
          read(path.join(where.memory, 'memory.max_usage_in_bytes')),
          read(path.join(where.memory, 'memory.limit_in_bytes')),
          read(path.join(where.memory, 'memory.oom_control')),
        ]);
        if (usage === null && memUsage === null) return null; // the container is gone
        const cs = parseKeyValues(cpuStat ?? '');
        const ms = parseKeyValues(memStat ?? '');
        const used = memUsage === null ? null : parseNumber(memUsage);
        const limit = memLimit === null ? null : parseNumber(memLimit);
        return {
          cpu_ns: usage === null ? null : parseNumber(usage),
          nr_periods: cs.nr_periods ?? null,
          nr_throttled: cs.nr_throttled ?? null,
          throttled_ns: cs.throttled_time ?? null,
          mem_bytes: used === null ? null : Math.max(0, used - (ms.total_inactive_file ?? 0)),
          mem_peak_bytes: memMax === null ? null : parseNumber(memMax),
          mem_limit_bytes: limit !== null && limit < V1_UNLIMITED ? limit : null,
          oom_kills: oom === null ? null : (parseKeyValues(oom).oom_kill ?? null),
        };
      }
      const [cpuStat, current, memStat, peak, max, events] = (await Promise.all(
        ['cpu.stat', 'memory.current', 'memory.stat', 'memory.peak', 'memory.max', 'memory.events'].map((f) => read(path.join(where.dir, f))),
      )) as [string | null, string | null, string | null, string | null, string | null, string | null];
      if (cpuStat === null && current === null) return null;
      const cs = parseKeyValues(cpuStat ?? '');
      const ms = parseKeyValues(memStat ?? '');
      const used = current === null ? null : parseNumber(current);
      return {
        cpu_ns: cs.usage_usec === undefined ? null : cs.usage_usec * 1000,
        nr_periods: cs.nr_periods ?? null,
        nr_throttled: cs.nr_throttled ?? null,
        throttled_ns: cs.throttled_usec === undefined ? null : cs.throttled_usec * 1000,
        mem_bytes: used === null ? null : Math.max(0, used - (ms.inactive_file ?? 0)),
        mem_peak_bytes: peak === null ? null : parseNumber(peak),
        mem_limit_bytes: max === null ? null : parseNumber(max),
        oom_kills: events === null ? null : (parseKeyValues(events).oom_kill ?? null),
      };
    },
  };
}

/** Host CPU busy share from /proc/stat, by difference between two readings. */
export function parseProcStat(text: string): { busy: number; total: number } | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  const idleAll = idle + iowait;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: total - idleAll, total };
}

/** Cumulative microseconds in which some task waited for a CPU, from /proc/pressure/cpu ("some ... total=N"); null without PSI. */
export function parsePressureTotal(text: string): number | null {
  const m = /^some .*\btotal=(\d+)/m.exec(text);
  return m ? Number(m[1]) : null;
}
