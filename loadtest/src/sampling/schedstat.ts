/**
 * How long a process's threads waited for a CPU while runnable, from /proc/PID/task/TID/schedstat
 * (time on CPU, time waiting on a run queue, in ns). The share of runnable time spent waiting is
 * what "CPU % of its share" cannot show: a generator crowded out by other work on the machine,
 * or held back by its own CPU quota, measures late responses and slow think times while its
 * CPU use looks modest.
 */
import { readdir, readFile } from 'node:fs/promises';

export interface SchedReading {
  runNs: number;
  waitNs: number;
}

export async function readSchedstat(pid: number): Promise<SchedReading | null> {
  try {
    const tasks = await readdir(`/proc/${pid}/task`);
    let runNs = 0;
    let waitNs = 0;
    for (const tid of tasks) {
      const text = await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch(() => '');
      const [run, wait] = text.trim().split(/\s+/).map(Number);
      if (Number.isFinite(run) && Number.isFinite(wait)) {
        runNs += run!;
        waitNs += wait!;
      }
    }
    return { runNs, waitNs };
  } catch {
    return null; // gone, or no schedstat (kernel without CONFIG_SCHEDSTATS)
  }
}

/** % of runnable time spent waiting between two readings; 0 when the process did not run at all. */
export function waitShare(prev: SchedReading, cur: SchedReading): number {
  // threads come and go between readings; a negative delta means one ended, count it as nothing
  const run = Math.max(0, cur.runNs - prev.runNs);
  const wait = Math.max(0, cur.waitNs - prev.waitNs);
  return run + wait > 0 ? (wait / (run + wait)) * 100 : 0;
}
