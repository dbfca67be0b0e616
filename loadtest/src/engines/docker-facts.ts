/**
 * The facts the target guard checks, read through the shared Docker adapter: a network's
 * labels and the names (container names and aliases) its members answer to. A Swarm task's
 * container carries neither its service's name nor the short name the stack's DNS gives it
 * (`lb` for `<stack>_lb`) as aliases: those come from its swarm labels.
 */
import type { Docker } from '@rightsize/compose/docker';
import type { NetworkFacts } from '../target-guard.js';

export function createNetworkFacts(docker: Docker): NetworkFacts {
  // a network or container that is gone (or cannot be read) has no facts: the guard refuses it
  const network = (name: string) => docker.networkInspect(name).catch(() => null);
  return {
    async networkLabels(name) {
      const doc = await network(name);
      return doc === null ? null : (doc.Labels ?? {});
    },
    async namesOnNetwork(name) {
      const doc = await network(name);
      const names = new Set<string>();
      for (const [id, member] of Object.entries(doc?.Containers ?? {})) {
        if (member.Name) names.add(member.Name);
        const c = await docker.inspect(id).catch(() => null);
        for (const alias of c?.NetworkSettings.Networks?.[name]?.Aliases ?? []) names.add(alias);
        for (const service of swarmServiceNames(c?.Config.Labels ?? {})) names.add(service);
      }
      return [...names];
    },
  };
}

/** Pure: the names a Swarm task answers to on its stack's networks: `<stack>_<service>` and `<service>`. */
export function swarmServiceNames(labels: Readonly<Record<string, string>>): string[] {
  const service = labels['com.docker.swarm.service.name'];
  if (!service) return [];
  const stack = labels['com.docker.stack.namespace'];
  return stack && service.startsWith(`${stack}_`) ? [service, service.slice(stack.length + 1)] : [service];
}
