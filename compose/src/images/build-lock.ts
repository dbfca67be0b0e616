/**
 * One image build at a time per machine: two `npm run images` (two engineers, or a test and a
 * developer) would otherwise debootstrap and tag the same images concurrently. A lock folder
 * holding the owner's pid; a lock whose pid is gone is stale and taken over.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RightsizeError } from '../errors.js';

export const DEFAULT_LOCK = path.join(tmpdir(), 'rightsize-images.lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function acquireBuildLock(opts: { lockDir?: string; timeoutMs?: number; onWait?: (pid: number) => void } = {}): Promise<() => Promise<void>> {
  const dir = opts.lockDir ?? DEFAULT_LOCK;
  const deadline = Date.now() + (opts.timeoutMs ?? 60 * 60_000);
  let told = false;
  for (;;) {
    try {
      await mkdir(dir);
      await writeFile(path.join(dir, 'pid'), String(process.pid));
      return async () => {
        await rm(dir, { recursive: true, force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number(await readFile(path.join(dir, 'pid'), 'utf8').catch(() => '0'));
    if (pid > 0 && !alive(pid)) {
      await rm(dir, { recursive: true, force: true });
      continue;
    }
    if (!told && pid > 0) {
      opts.onWait?.(pid);
      told = true;
    }
    if (Date.now() > deadline) throw new RightsizeError('IMAGE_ERR_BUILD', `another image build (pid ${pid}) holds ${dir}; gave up waiting`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
