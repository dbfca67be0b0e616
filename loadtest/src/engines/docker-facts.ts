/**
 * The facts the target guard checks, read through the shared Docker adapter: a network's
 * labels and the names (container names and aliases) its members answer to. A Swarm task's
 * container carries neither its service's name nor the short name the stack's DNS gives it
 * (`lb` for `<stack>_lb`) as aliases: those come from its swarm labels.
 */
import type { Docker } from '@rightsize/compose/docker';
import type { NetworkFacts } from '../target-guard.js';

interface NetworkDoc {
  Labels?: Record<string, string> | null;
  Containers?: Record<string, { Name?: string }> | null;
}
interface ContainerDoc {
  Name?: string;
  Config?: { Labels?: Record<string, string> | null };
  NetworkSettings?: { Networks?: Record<string, { Aliases?: string[] | null }> };
}

export function createNetworkFacts(docker: Docker): NetworkFacts {
  const inspect = async <T>(args: string[]): Promise<T | null> => {
    try {
      const { stdout } = await docker.cli(args);
      return ((JSON.parse(stdout) as T[])[0] ?? null) as T | null;
    } catch {
      return null;
    }
  };
  return {
    async networkLabels(network) {
      const doc = await inspect<NetworkDoc>(['network', 'inspect', network]);
      return doc === null ? null : (doc.Labels ?? {});
    },
    async namesOnNetwork(network) {
      const doc = await inspect<NetworkDoc>(['network', 'inspect', network]);
      const names = new Set<string>();
      for (const [id, member] of Object.entries(doc?.Containers ?? {})) {
        if (member.Name) names.add(member.Name);
        const c = await inspect<ContainerDoc>(['inspect', '--type', 'container', id]);
        for (const alias of c?.NetworkSettings?.Networks?.[network]?.Aliases ?? []) names.add(alias);
        for (const name of swarmServiceNames(c?.Config?.Labels ?? {})) names.add(name);
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
