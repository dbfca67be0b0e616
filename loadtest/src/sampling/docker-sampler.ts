/**
 * Samples generator containers through `docker stats` (about once a second each). Docker
 * reports CPU as % of one core; the summary wants % of the container's own share, so a
 * generator limited to 1 CPU at 85 % of one core reads 85, and at 2 CPUs reads 42.5.
 */
import type { Docker } from '@rightsize/compose/docker';
import type { GeneratorSample } from '../generator-health.js';
import type { OnSample, Sampler } from './types.js';

export function startDockerSampler(opts: { docker: Docker; containers: { id: string; cpuShare: number }[]; onSample?: OnSample }): Sampler {
  const samples: GeneratorSample[] = [];
  const share = new Map(opts.containers.map((c) => [c.id, c.cpuShare]));
  const shareOf = (id: string) => share.get(id) ?? [...share].find(([full]) => full.startsWith(id) || id.startsWith(full))?.[1] ?? 1;
  const stream = opts.docker.statsStream(
    opts.containers.map((c) => c.id),
    (s) => {
      // docker stats prints zeros for a container that has not started or has already stopped
      if (s.memUsageBytes === 0 && s.cpuPercent === 0) return;
      const sample = { atMs: s.at, source: s.name || s.id.slice(0, 12), cpuPct: s.cpuPercent / shareOf(s.id), memBytes: s.memUsageBytes };
      samples.push(sample);
      opts.onSample?.(sample);
    },
  );
  return {
    async stop() {
      await stream.stop();
      return samples;
    },
  };
}
