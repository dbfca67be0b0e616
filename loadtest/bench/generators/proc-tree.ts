/**
 * CPU time of a process and everything below it, read from /proc: utime + stime of every live
 * process in the tree plus cutime + cstime (children that already exited and were reaped), so a
 * reading is the tree's whole CPU time so far, whether the work ran in threads, in forked
 * workers or in short-lived children. Plus the tree's run-queue wait (schedstat).
 */
import { readdir, readFile } from 'node:fs/promises';
import { readSchedstat, type SchedReading } from '../../src/sampling/schedstat.js';

/** USER_HZ: fixed at 100 by the Linux ABI on x86 and arm (proc-sampler.ts says the same) */
export const CLOCK_TICKS_PER_S = 100;

export interface TreeReading {
  atMs: number;
  cpuS: number;
  sched: SchedReading | null;
  pids: number[];
}

/** every descendant; a child started by any thread is listed under that thread */
async function children(pid: number): Promise<number[]> {
  const tids = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const lists = await Promise.all(tids.map((tid) => readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '')));
  const direct = lists.join(' ').split(/\s+/).filter(Boolean).map(Number);
  return [...direct, ...(await Promise.all(direct.map(children))).flat()];
}

async function ticksOf(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // the command name may contain spaces or parentheses: fields start after the last ')'
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]); // utime stime cutime cstime
  } catch {
    return 0; // ended between listing and reading: its time moves to its parent's cutime
  }
}

export async function readTree(pid: number): Promise<TreeReading> {
  const pids = [pid, ...(await children(pid))];
  const [ticks, scheds] = await Promise.all([Promise.all(pids.map(ticksOf)), Promise.all(pids.map(readSchedstat))]);
  const known = scheds.filter((s): s is SchedReading => s !== null);
  return {
    atMs: performance.now(),
    cpuS: ticks.reduce((a, b) => a + b, 0) / CLOCK_TICKS_PER_S,
    sched: known.length > 0 ? known.reduce((a, b) => ({ runNs: a.runNs + b.runNs, waitNs: a.waitNs + b.waitNs })) : null,
    pids,
  };
}
