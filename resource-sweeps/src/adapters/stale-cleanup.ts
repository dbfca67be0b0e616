/**
 * Clean-up by owner. Everything a sweep process creates carries io.rightsize.owner =
 * `rs-sweep-<pid>-<random>` (sweep-owner.ts), so at the next start any sweep can remove what a
 * crashed one left behind, recognising "crashed" by its pid no longer running on this host:
 * Swarm stacks first (removing their containers alone would only get them replaced), then
 * containers, networks, volumes, and a swarm mode that a crashed sweep entered. Live sweeps and
 * everything not ours are never touched.
 */
import { PROJECT_LABEL } from '@rightsize/compose/compose';
import { OWNER_LABEL, type Docker } from '@rightsize/compose/docker';
import { isProcessAlive, parseSweepOwner } from './sweep-owner.js';
import { releaseSwarm } from './swarm-mode.js';
import { ownedStacks, removeStack } from './swarm-stacks.js';

export { createSweepOwner, isProcessAlive, parseSweepOwner } from './sweep-owner.js';

export interface CleanupCount {
  stacks: number;
  containers: number;
  networks: number;
  volumes: number;
}

/** Removes every container, then network and volume, whose owner label belongs to `owner` (its generator's too). */
export async function removeOwned(docker: Docker, belongs: (ownerValue: string) => boolean): Promise<CleanupCount> {
  const count: CleanupCount = { stacks: 0, containers: 0, networks: 0, volumes: 0 };
  if ((await docker.swarmState()).active) {
    const stacks = await ownedStacks(docker, belongs);
    for (const stack of stacks) await removeStack(docker, stack);
    count.stacks = stacks.length;
  }
  const owned = { [OWNER_LABEL]: '' };
  const containers = (await docker.listContainers(owned)).filter((c) => belongs(c.labels[OWNER_LABEL] ?? ''));
  await docker.rm(containers.map((c) => c.id));
  count.containers = containers.length;
  const netIds = (await docker.listNetworks(owned)).filter((n) => belongs(n.labels[OWNER_LABEL] ?? '')).map((n) => n.id);
  await docker.networkRm(netIds);
  count.networks = netIds.length;
  const volNames = (await docker.listVolumes(owned)).filter((v) => belongs(v.labels[OWNER_LABEL] ?? '')).map((v) => v.name);
  await docker.volumeRm(volNames);
  count.volumes = volNames.length;
  return count;
}

/** Clean-up of one sweep owner (its trials' stacks and generators). */
export function removeSweepOwner(docker: Docker, owner: string): Promise<CleanupCount> {
  return removeOwned(docker, (value) => parseSweepOwner(value)?.owner === owner);
}

/** Clean-up of every sweep owner whose process is gone, then of a swarm mode only crashed sweeps used. */
export async function removeStaleSweeps(docker: Docker, alive: (pid: number) => boolean = isProcessAlive): Promise<CleanupCount & { swarm: string | null }> {
  const count = await removeOwned(docker, (value) => {
    const parsed = parseSweepOwner(value);
    return parsed !== null && !alive(parsed.pid);
  });
  return { ...count, swarm: await releaseSwarm(docker, { alive }) };
}


/** Removes one compose project's containers, networks and volumes (by compose's own label) and its generator. */
export async function removeProject(docker: Docker, project: string): Promise<CleanupCount> {
  const byProject = { [PROJECT_LABEL]: project };
  const containers = [...(await docker.listContainers(byProject)), ...(await docker.listContainers({ [OWNER_LABEL]: `rs-load-${project}` }))];
  await docker.rm(containers.map((c) => c.id));
  const networks = await docker.listNetworks(byProject);
  await docker.networkRm(networks.map((n) => n.id));
  const volumes = await docker.listVolumes(byProject);
  await docker.volumeRm(volumes.map((v) => v.name));
  return { stacks: 0, containers: containers.length, networks: networks.length, volumes: volumes.length };
}
