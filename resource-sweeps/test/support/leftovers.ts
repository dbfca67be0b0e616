/** What a sweep owner still has in Docker: containers, networks and swarm services whose owner label is its own (its generator's too). */
import { createDocker, OWNER_LABEL, type Docker } from '@rightsize/compose/docker';
import { parseSweepOwner } from '../../src/adapters/stale-cleanup.js';

export async function leftovers(owner: string, docker: Docker = createDocker()): Promise<string[]> {
  const mine = (labels: Record<string, string> | null | undefined) => parseSweepOwner(labels?.[OWNER_LABEL] ?? '')?.owner === owner;
  const containers = (await docker.listContainers({ [OWNER_LABEL]: '' })).filter((c) => mine(c.labels)).map((c) => `container ${c.name}`);
  const networks = (await docker.listNetworks({ [OWNER_LABEL]: '' })).filter((n) => mine(n.labels)).map((n) => `network ${n.name}`);
  // outside swarm mode there are no services and `docker service ls` fails: nothing left there
  const names = await docker.listServices({ [OWNER_LABEL]: '' }).then((all) => all.map((s) => s.name), () => []);
  const inspected = (await Promise.all(names.map((name) => docker.inspectServices([name]).catch(() => [])))).flat();
  const services = inspected.filter((s) => mine(s.Spec.Labels)).map((s) => `service ${s.Spec.Name}`);
  return [...containers, ...networks, ...services];
}
