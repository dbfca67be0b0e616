/**
 * Samples generator containers through `docker stats` (about once a second each). Docker
 * reports CPU as % of one core; the summary wants % of the container's own share, so a
 * generator limited to 1 CPU at 85 % of one core reads 85, and at 2 CPUs reads 42.5.
 */
import type { Docker } from '@rightsize/compose/docker';
import type { GeneratorSample } from '../generator-health.js';
import { readSchedstat, waitShare, type SchedReading } from './schedstat.js';
import type { OnSample, Sampler } from './types.js';

/**
 * Also reads each container's run-queue delay from the host's /proc (its main process's host
 * pid, from docker inspect): docker stats has no equivalent. Without access to that /proc (a
 * remote engine), the wait share is left unknown.
 */
export function startDockerSampler(opts: { docker: Docker; containers: { id: string; cpuShare: number }[]; onSample?: OnSample }): Sampler {
  const samples: GeneratorSample[] = [];
  const waits = new Map<string, { pid: number; last: SchedReading | null; pct: number | null }>();
  const waitOf = (id: string) => [...waits].find(([full]) => full.startsWith(id) || id.startsWith(full))?.[1]?.pct ?? null;
  void Promise.all(
    opts.containers.map(async (c) => {
      const pid = Number(((await opts.docker.inspect(c.id).catch(() => null))?.State as { Pid?: unknown } | undefined)?.Pid);
      if (Number.isInteger(pid) && pid > 0) waits.set(c.id, { pid, last: await readSchedstat(pid), pct: null });
    }),
  );
  const waitTimer = setInterval(() => {
    for (const w of waits.values()) {
      void readSchedstat(w.pid).then((cur) => {
        if (cur && w.last) w.pct = waitShare(w.last, cur);
        w.last = cur ?? w.last;
      });
    }
  }, 1000);
  const share = new Map(opts.containers.map((c) => [c.id, c.cpuShare]));
  const shareOf = (id: string) => share.get(id) ?? [...share].find(([full]) => full.startsWith(id) || id.startsWith(full))?.[1] ?? 1;
  const stream = opts.docker.statsStream(
    opts.containers.map((c) => c.id),
    (s) => {
      // docker stats prints zeros for a container that has not started or has already stopped
      if (s.memUsageBytes === 0 && s.cpuPercent === 0) return;
      const sample = { atMs: s.at, source: s.name || s.id.slice(0, 12), cpuPct: s.cpuPercent / shareOf(s.id), memBytes: s.memUsageBytes, cpuWaitPct: waitOf(s.id) };
      samples.push(sample);
      opts.onSample?.(sample);
    },
  );
  return {
    async stop() {
      clearInterval(waitTimer);
      await stream.stop();
      return samples;
    },
  };
}
