/**
 * Swarm stacks as the sweep sees them: their task containers (normal containers, labelled
 * with the stack and the service), their services' convergence and failed tasks, and their
 * removal. `docker stack rm` returns at once and Swarm removes containers and networks
 * asynchronously, so removal waits until they are gone; a task container removed by force
 * while its service still exists would only be replaced.
 */
import { OWNER_LABEL, type Docker } from '@rightsize/compose/docker';
import type { SampledContainer } from './container-sampler.js';
import { sleep } from './stack-common.js';

export const STACK_LABEL = 'com.docker.stack.namespace';
export const SWARM_SERVICE_LABEL = 'com.docker.swarm.service.name';

/** Pure: the service name the rest of the sweep uses (`api`, `lb`) from Swarm's `<stack>_api`. */
export function shortServiceName(stack: string, swarmService: string | undefined): string {
  if (!swarmService) return 'unknown';
  return swarmService.startsWith(`${stack}_`) ? swarmService.slice(stack.length + 1) : swarmService;
}

export async function stackContainers(docker: Docker, stack: string): Promise<SampledContainer[]> {
  const list = await docker.listContainers({ [STACK_LABEL]: stack });
  return list.map((c) => ({ id: c.id, name: c.name, service: shortServiceName(stack, c.labels[SWARM_SERVICE_LABEL]) }));
}

export interface ServiceReplicas {
  running: number;
  desired: number;
}

/** Pure: `docker service ls --format '{{.Name}}\t{{.Replicas}}'` as short name -> running/desired ("2/2", "1/1 (max 1 per node)"). */
export function parseServiceReplicas(stack: string, text: string): Record<string, ServiceReplicas> {
  const out: Record<string, ServiceReplicas> = {};
  for (const line of text.split('\n')) {
    const [name, replicas] = line.trim().split('\t');
    const m = /^(\d+)\/(\d+)/.exec(replicas ?? '');
    if (name && m) out[shortServiceName(stack, name)] = { running: Number(m[1]), desired: Number(m[2]) };
  }
  return out;
}

export interface TaskState {
  name: string;
  state: string;
  error: string;
}

/** Pure: `docker service ps --format '{{.Name}}\t{{.CurrentState}}\t{{.Error}}'`, the tasks that failed or were rejected. */
export function failedTasks(text: string): TaskState[] {
  return text
    .split('\n')
    .map((line) => line.trim().split('\t'))
    .filter(([name]) => name)
    .map(([name, state, error]) => ({ name: (name as string).replace(/^\\_\s*/, ''), state: state ?? '', error: error ?? '' }))
    .filter((t) => /^(Failed|Rejected)/.test(t.state));
}

export async function serviceReplicas(docker: Docker, stack: string): Promise<Record<string, ServiceReplicas>> {
  const { stdout } = await docker.cli(['service', 'ls', '--filter', `label=${STACK_LABEL}=${stack}`, '--format', '{{.Name}}\t{{.Replicas}}']);
  return parseServiceReplicas(stack, stdout);
}

export async function stackTasks(docker: Docker, stack: string): Promise<string> {
  return (await docker.cli(['stack', 'ps', '--no-trunc', '--format', '{{.Name}}\t{{.CurrentState}}\t{{.Error}}', stack])).stdout;
}

/** What is left of a stack: its services, containers and networks. */
async function remaining(docker: Docker, stack: string): Promise<number> {
  const services = (await docker.cli(['service', 'ls', '--quiet', '--filter', `label=${STACK_LABEL}=${stack}`]).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean).length;
  return services + (await docker.listContainers({ [STACK_LABEL]: stack })).length + (await docker.listNetworks({ [STACK_LABEL]: stack })).length;
}

/**
 * `docker stack rm`, then waits until the stack's services, containers and networks are gone;
 * after `timeoutMs`, removes the leftover containers and networks by label. Resolves to the
 * seconds it took.
 */
export async function removeStack(docker: Docker, stack: string, timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  await docker.cli(['stack', 'rm', stack]).catch(() => undefined); // "Nothing found in stack" is fine: idempotent
  while ((await remaining(docker, stack)) > 0 && Date.now() - started < timeoutMs) await sleep(250);
  await docker.rm((await docker.listContainers({ [STACK_LABEL]: stack })).map((c) => c.id));
  await docker.networkRm((await docker.listNetworks({ [STACK_LABEL]: stack })).map((n) => n.id));
  return (Date.now() - started) / 1000;
}

/** Stacks whose services carry an owner label `belongs` accepts (the compose file labels every service). */
export async function ownedStacks(docker: Docker, belongs: (ownerValue: string) => boolean): Promise<string[]> {
  const { stdout } = await docker.cli(['service', 'ls', '--filter', `label=${OWNER_LABEL}`, '--format', `{{.Label "${OWNER_LABEL}"}}\t{{.Label "${STACK_LABEL}"}}`]);
  const stacks = stdout
    .split('\n')
    .map((l) => l.split('\t'))
    .filter(([owner, stack]) => stack && belongs(owner ?? ''))
    .map(([, stack]) => stack as string);
  return [...new Set(stacks)];
}
