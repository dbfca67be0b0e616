/**
 * Owners: everything a sweep process creates carries io.rightsize.owner =
 * `rs-sweep-<pid>-<random>` (the load runner's generator: `rs-load-rs-sweep-<pid>-...`), so a
 * later sweep can tell a crashed sweep's objects (its pid no longer runs on this host) from a
 * live one's and from everything that is not a sweep's.
 */
import { randomBytes } from 'node:crypto';

const OWNER = /^(?:rs-load-)?(rs-sweep-(\d+)-[a-z0-9]+)/;

export function createSweepOwner(pid = process.pid): string {
  return `rs-sweep-${pid}-${randomBytes(3).toString('hex')}`;
}

/** The sweep owner and its pid behind an owner label value (or a project/stack name), or null when it is not a sweep's. */
export function parseSweepOwner(value: string): { owner: string; pid: number } | null {
  const m = OWNER.exec(value);
  return m ? { owner: m[1] as string, pid: Number(m[2]) } : null;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
