/** What a sweep owner still has in Docker: containers and networks whose owner label is its own (its generator's too). */
import { createDocker, OWNER_LABEL, type Docker } from '@rightsize/compose/docker';
import { parseSweepOwner } from '../../../src/adapters/stale-cleanup.js';

export async function leftovers(owner: string, docker: Docker = createDocker()): Promise<string[]> {
  const containers = (await docker.listContainers({ [OWNER_LABEL]: '' })).filter((c) => parseSweepOwner(c.labels[OWNER_LABEL] ?? '')?.owner === owner).map((c) => c.name);
  const networks = (await docker.cli(['network', 'ls', '--filter', `label=${OWNER_LABEL}`, '--format', `{{.Name}}\t{{.Label "${OWNER_LABEL}"}}`])).stdout
    .split('\n')
    .map((l) => l.split('\t'))
    .filter(([, v]) => parseSweepOwner(v ?? '')?.owner === owner)
    .map(([n]) => n as string);
  return [...containers, ...networks];
}
