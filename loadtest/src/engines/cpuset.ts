import os from 'node:os';

/**
 * Which cores the generator container is pinned to. "auto": the last cores when the machine has
 * at least two, leaving the first ones to the API (whose limits shrink during a sweep);
 * "none": no pinning; anything else is a cpuset list passed as is. The instances of a run split
 * across several generators all get this same set: together they share the generator's cores
 * (on two cores, all on core 1) and never take the API's.
 */
export function resolveCpuset(spec: string, cpus: number, cores = os.availableParallelism()): string | null {
  if (spec === 'none') return null;
  if (spec !== 'auto') return spec;
  const need = Math.ceil(cpus);
  if (cores < 2 || need >= cores) return null;
  const first = cores - need;
  return need === 1 ? String(first) : `${first}-${cores - 1}`;
}
