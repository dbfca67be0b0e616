/**
 * Samples a local generator process (and its child processes: Locust's --processes workers)
 * from /proc once a second: CPU time from /proc/<pid>/stat, resident memory from
 * /proc/<pid>/status. CPU is reported as % of the process's share: the cores it may run on
 * (its affinity list), since a local process has no quota.
 */
import { readFile } from 'node:fs/promises';
import type { GeneratorSample } from '../generator-health.js';
import { readSchedstat, waitShare, type SchedReading } from './schedstat.js';
import type { OnSample, Sampler } from './types.js';

/** USER_HZ: /proc reports CPU time in these ticks; fixed at 100 by the Linux ABI on x86 and arm. */
const TICKS_PER_S = 100;

interface ProcReading {
  ticks: number;
  rssBytes: number;
  cores: number;
}

export async function readProc(pid: number): Promise<ProcReading | null> {
  try {
    const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
    // the command name may contain spaces or parentheses: fields start after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    const cores = countCpuList(/^Cpus_allowed_list:\s+(\S+)/m.exec(status)?.[1] ?? '0');
    return { ticks, rssBytes: rssKb * 1024, cores };
  } catch {
    return null; // the process ended between two readings
  }
}

/** "0-3,6" -> 5 */
export function countCpuList(list: string): number {
  let n = 0;
  for (const part of list.split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || Number.isNaN(a)) continue;
    n += b === undefined || Number.isNaN(b) ? 1 : b - a + 1;
  }
  return Math.max(1, n);
}

async function childrenOf(pid: number): Promise<number[]> {
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    const direct = text.split(/\s+/).filter(Boolean).map(Number);
    const nested = await Promise.all(direct.map(childrenOf));
    return [...direct, ...nested.flat()];
  } catch {
    return [];
  }
}

/**
 * `coresPerProcess`: the share each process is judged against; default its affinity list.
 * Locust processes are single-threaded (gevent), so their share is one core whatever the machine.
 */
export function startProcSampler(opts: { pid: number; includeChildren: boolean; coresPerProcess?: number; intervalMs?: number; onSample?: OnSample }): Sampler {
  const samples: GeneratorSample[] = [];
  const last = new Map<number, { ticks: number; atMs: number; sched: SchedReading | null }>();
  let stopped = false;
  const tick = async () => {
    const pids = [opts.pid, ...(opts.includeChildren ? await childrenOf(opts.pid) : [])];
    for (const pid of pids) {
      const [r, sched] = await Promise.all([readProc(pid), readSchedstat(pid)]);
      const atMs = Date.now();
      if (!r) continue;
      const prev = last.get(pid);
      last.set(pid, { ticks: r.ticks, atMs, sched });
      if (!prev || atMs <= prev.atMs) continue;
      const cpuSeconds = (r.ticks - prev.ticks) / TICKS_PER_S;
      const sample = {
        atMs,
        source: `pid:${pid}`,
        cpuPct: Math.max(0, (cpuSeconds / ((atMs - prev.atMs) / 1000) / (opts.coresPerProcess ?? r.cores)) * 100),
        memBytes: r.rssBytes,
        cpuWaitPct: prev.sched && sched ? waitShare(prev.sched, sched) : null,
      };
      samples.push(sample);
      opts.onSample?.(sample);
    }
  };
  let running = tick();
  const timer = setInterval(() => {
    if (!stopped) running = running.then(tick);
  }, opts.intervalMs ?? 1000);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      return samples;
    },
  };
}
