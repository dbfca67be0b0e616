// CPU and memory limits of the container we run in, and what we derive from them: ONNX Runtime
// thread counts and the V8 heap size. Neither ONNX Runtime nor Node look at the CFS quota
// (os.availableParallelism() says 2 in a --cpus 0.5 container), so we read cgroup files ourselves.
// Parsers are pure (tested with fixture files); readCgroupLimits is the thin file-system adapter.
import { readFile, access } from 'node:fs/promises';
import { join } from 'node:path';

/** cgroup v1 writes ~2^63 rounded to the page size for "no limit"; anything this big means none. */
const UNLIMITED_BYTES = 2 ** 60;
/** Room left outside the V8 heap: ONNX Runtime and its arena, Node's own code, buffers, young gen. */
export const NATIVE_RESERVE_MB = 96;
export const MIN_HEAP_MB = 32;

export interface CgroupLimits {
  version: 'v1' | 'v2' | 'none';
  /** CPUs allowed by the CFS quota (0.5 for --cpus 0.5), null without a quota. */
  cpuQuota: number | null;
  memoryLimitBytes: number | null;
  /** Files that gave the numbers, for the startup log. */
  sources: string[];
}

/** cgroup v2 `cpu.max`: "max 100000" (no quota) or "50000 100000". */
export function parseCpuMax(text: string): number | null {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === undefined || quota === 'max') return null;
  return ratio(quota, period ?? '100000');
}

/** cgroup v1 `cpu.cfs_quota_us` (-1 = no quota) and `cpu.cfs_period_us`. */
export function parseCfsQuota(quotaText: string, periodText: string): number | null {
  const quota = quotaText.trim();
  if (quota === '-1' || quota === '') return null;
  return ratio(quota, periodText.trim());
}

/** cgroup v2 `memory.max` ("max" or bytes) and v1 `memory.limit_in_bytes`. */
export function parseMemoryLimit(text: string): number | null {
  const value = text.trim();
  if (value === 'max' || value === '' || !/^\d+$/.test(value)) return null;
  const bytes = Number(value);
  return bytes >= UNLIMITED_BYTES ? null : bytes;
}

function ratio(quota: string, period: string): number | null {
  const q = Number(quota);
  const p = Number(period);
  if (!Number.isFinite(q) || !Number.isFinite(p) || q <= 0 || p <= 0) return null;
  return q / p;
}

export interface CgroupReader {
  readText(path: string): Promise<string | null>;
  exists(path: string): Promise<boolean>;
}

export const fsReader: CgroupReader = {
  async readText(path) {
    try {
      return await readFile(path, 'utf8');
    } catch {
      return null;
    }
  },
  async exists(path) {
    try {
      await access(path);
      return true;
    } catch {
      return false;
    }
  },
};

/** Reads the limits of the cgroup mounted at `root` (the container's own in Docker). */
export async function readCgroupLimits(root: string, reader: CgroupReader = fsReader): Promise<CgroupLimits> {
  if (await reader.exists(join(root, 'cgroup.controllers'))) {
    const cpuFile = join(root, 'cpu.max');
    const memFile = join(root, 'memory.max');
    const cpu = await reader.readText(cpuFile);
    const mem = await reader.readText(memFile);
    return {
      version: 'v2',
      cpuQuota: cpu === null ? null : parseCpuMax(cpu),
      memoryLimitBytes: mem === null ? null : parseMemoryLimit(mem),
      sources: [cpu === null ? null : cpuFile, mem === null ? null : memFile].filter((s): s is string => s !== null),
    };
  }
  const sources: string[] = [];
  let cpuQuota: number | null = null;
  for (const dir of ['cpu', 'cpu,cpuacct', 'cpuacct,cpu']) {
    const quota = await reader.readText(join(root, dir, 'cpu.cfs_quota_us'));
    const period = await reader.readText(join(root, dir, 'cpu.cfs_period_us'));
    if (quota !== null && period !== null) {
      cpuQuota = parseCfsQuota(quota, period);
      sources.push(join(root, dir, 'cpu.cfs_quota_us'));
      break;
    }
  }
  const memFile = join(root, 'memory', 'memory.limit_in_bytes');
  const mem = await reader.readText(memFile);
  if (mem !== null) sources.push(memFile);
  const found = sources.length > 0;
  return { version: found ? 'v1' : 'none', cpuQuota, memoryLimitBytes: mem === null ? null : parseMemoryLimit(mem), sources };
}

export interface SizingInput {
  cgroup: CgroupLimits;
  /** os.availableParallelism(): follows the CPU affinity mask (taskset, cpuset), not the quota. */
  availableParallelism: number;
  /** process.constrainedMemory() where the runtime has it; 0 or huge values mean unknown. */
  constrainedMemoryBytes: number | undefined;
  totalMemoryBytes: number;
  intraOpThreads: 'auto' | number;
  interOpThreads: number;
  heapLimitMb: 'auto' | 'off' | number;
  heapFraction: number;
}

export interface Sizing {
  /** CPUs we may use: the quota if any, capped by the affinity mask. */
  cpus: number;
  intraOpThreads: number;
  interOpThreads: number;
  memoryLimitBytes: number | null;
  /** V8 old-generation limit to apply, null to keep V8's default. */
  heapLimitMb: number | null;
  cgroup: CgroupLimits;
}

/** Pure: thread counts follow the CPU quota; the heap follows the memory limit. */
export function deriveSizing(input: SizingInput): Sizing {
  const quota = input.cgroup.cpuQuota;
  const cpus = quota === null ? input.availableParallelism : Math.min(quota, input.availableParallelism);
  const intraOpThreads = input.intraOpThreads === 'auto' ? Math.max(1, Math.floor(cpus)) : input.intraOpThreads;
  const constrained = input.constrainedMemoryBytes;
  const fromRuntime = constrained && constrained < UNLIMITED_BYTES && constrained < input.totalMemoryBytes ? constrained : null;
  const memoryLimitBytes = input.cgroup.memoryLimitBytes ?? fromRuntime;
  let heapLimitMb: number | null = null;
  if (typeof input.heapLimitMb === 'number') heapLimitMb = input.heapLimitMb;
  else if (input.heapLimitMb === 'auto' && memoryLimitBytes !== null) heapLimitMb = autoHeapMb(memoryLimitBytes, input.heapFraction);
  return { cpus, intraOpThreads, interOpThreads: input.interOpThreads, memoryLimitBytes, heapLimitMb, cgroup: input.cgroup };
}

/** A fraction of the limit, but always leaving NATIVE_RESERVE_MB for memory V8 does not manage. */
export function autoHeapMb(memoryLimitBytes: number, fraction: number): number {
  const limitMb = memoryLimitBytes / 2 ** 20;
  return Math.max(MIN_HEAP_MB, Math.floor(Math.min(limitMb * fraction, limitMb - NATIVE_RESERVE_MB)));
}
