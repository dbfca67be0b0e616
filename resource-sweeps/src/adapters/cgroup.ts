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

/** No memory limit in cgroup v1 reads as a huge number (page-rounded LONG_MAX). */
const V1_UNLIMITED = 2 ** 62;

export interface CgroupReader {
  read(containerId: string): Promise<CgroupReading | null>;
}

/**
 * Reads several files at once, by paths relative to the cgroup root; null for a file that is
 * not there. Local files by default; a node sampler's POST /read for tasks on other nodes
 * (node-sampler.ts), so one round trip reads a container's every file.
 */
export type CgroupFiles = (relativePaths: string[]) => Promise<(string | null)[]>;

export function localCgroupFiles(root = '/sys/fs/cgroup'): CgroupFiles {
  return (files) => Promise.all(files.map((f) => read(path.join(root, f))));
}

const V1_FILES = {
  cpuacct: ['cpuacct.usage'],
  cpu: ['cpu.stat'],
  memory: ['memory.usage_in_bytes', 'memory.stat', 'memory.max_usage_in_bytes', 'memory.limit_in_bytes', 'memory.oom_control'],
} as const;
const V2_FILES = ['cpu.stat', 'memory.current', 'memory.stat', 'memory.peak', 'memory.max', 'memory.events'] as const;

type Location = { v: 1; cpu: string; cpuacct: string; memory: string } | { v: 2; dir: string };

/** `root`: the local cgroup root (default /sys/fs/cgroup); `files`: where files are read from instead (a node sampler). */
export function createCgroupReader(options: { root?: string; files?: CgroupFiles } = {}): CgroupReader {
  const readMany = options.files ?? localCgroupFiles(options.root ?? '/sys/fs/cgroup');
  const located = new Map<string, Promise<Location | null>>();

  const locate = (id: string) => {
    let found = located.get(id);
    if (!found) {
      found = (async (): Promise<Location | null> => {
        // every candidate directory (cgroupfs and systemd drivers, v1 and v2) in one read; the first that exists wins
        const v1 = (controller: string) => [path.posix.join(controller, 'docker', id), path.posix.join(controller, 'system.slice', `docker-${id}.scope`)];
        const candidates = {
          cpu: [...v1('cpu'), ...v1('cpu,cpuacct')],
          cpuacct: [...v1('cpuacct'), ...v1('cpu,cpuacct')],
          memory: v1('memory'),
          v2: [path.posix.join('system.slice', `docker-${id}.scope`), path.posix.join('docker', id)],
        };
        const all = [...new Set(Object.values(candidates).flat())];
        const texts = await readMany(all.map((d) => path.posix.join(d, 'cgroup.procs')));
        const exists = new Set(all.filter((_, i) => texts[i] !== null));
        const first = (dirs: string[]) => dirs.find((d) => exists.has(d)) ?? null;
        const [cpu, cpuacct, memory] = [first(candidates.cpu), first(candidates.cpuacct), first(candidates.memory)];
        if (cpu && cpuacct && memory) return { v: 1, cpu, cpuacct, memory };
        const dir = first(candidates.v2);
        return dir ? { v: 2, dir } : null;
      })();
      // a container not (yet) found is looked for again next time
      found.then((where) => where ?? located.delete(id), () => located.delete(id));
      located.set(id, found);
    }
    return found;
  };

  return {
    async read(id) {
      const where = await locate(id);
      if (!where) return null;
      if (where.v === 1) {
        const [usage = null, cpuStat = null, memUsage = null, memStat = null, memMax = null, memLimit = null, oom = null] = await readMany([
          ...V1_FILES.cpuacct.map((f) => path.posix.join(where.cpuacct, f)),
          ...V1_FILES.cpu.map((f) => path.posix.join(where.cpu, f)),
          ...V1_FILES.memory.map((f) => path.posix.join(where.memory, f)),
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
      const [cpuStat = null, current = null, memStat = null, peak = null, max = null, events = null] = await readMany(V2_FILES.map((f) => path.posix.join(where.dir, f)));
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
