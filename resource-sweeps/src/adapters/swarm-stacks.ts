/**
 * Swarm stacks as the sweep sees them: their task containers (normal containers, labelled
 * with the stack and the service), their services' convergence and failed tasks, and their
 * removal. `docker stack rm` returns at once and Swarm removes containers and networks
 * asynchronously, so removal waits until they are gone; a task container removed by force
 * while its service still exists would only be replaced.
 */
import { OWNER_LABEL, type Docker, type ServiceSummary, type TaskState } from '@rightsize/compose/docker';
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

/** Pure: the stack's services by short name, running/desired tasks each. */
export function replicasByService(stack: string, services: readonly ServiceSummary[]): Record<string, ServiceReplicas> {
  return Object.fromEntries(services.map((s) => [shortServiceName(stack, s.name), { running: s.running, desired: s.desired }]));
}

/** Pure: the tasks that failed or were rejected. */
export function failedTasks(tasks: readonly TaskState[]): TaskState[] {
  return tasks.filter((t) => /^(Failed|Rejected)/.test(t.state));
}

export async function serviceReplicas(docker: Docker, stack: string): Promise<Record<string, ServiceReplicas>> {
  return replicasByService(stack, await docker.listServices({ [STACK_LABEL]: stack }));
}

/** What is left of a stack: its services, containers and networks. */
async function remaining(docker: Docker, stack: string): Promise<number> {
  const services = (await docker.listServices({ [STACK_LABEL]: stack }).catch(() => [])).length;
  return services + (await docker.listContainers({ [STACK_LABEL]: stack })).length + (await docker.listNetworks({ [STACK_LABEL]: stack })).length;
}

/**
 * `docker stack rm`, then waits until the stack's services, containers and networks are gone;
 * after `timeoutMs`, removes the leftover containers and networks by label. Resolves to the
 * seconds it took.
 */
export async function removeStack(docker: Docker, stack: string, timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  await docker.stackRm(stack).catch(() => undefined); // "Nothing found in stack" is fine: idempotent
  while ((await remaining(docker, stack)) > 0 && Date.now() - started < timeoutMs) await sleep(250);
  await docker.rm((await docker.listContainers({ [STACK_LABEL]: stack })).map((c) => c.id));
  await docker.networkRm((await docker.listNetworks({ [STACK_LABEL]: stack })).map((n) => n.id));
  return (Date.now() - started) / 1000;
}

/** Stacks whose services carry an owner label `belongs` accepts (the compose file labels every service). */
export async function ownedStacks(docker: Docker, belongs: (ownerValue: string) => boolean): Promise<string[]> {
  const names = (await docker.listServices({ [OWNER_LABEL]: '' })).map((s) => s.name);
  // one inspect per service: another sweep may remove its stack between the list and the inspect
  const services = (await Promise.all(names.map((name) => docker.inspectServices([name]).catch(() => [])))).flat();
  const stacks = services
    .map((s) => s.Spec.Labels ?? {})
    .filter((labels) => labels[STACK_LABEL] && belongs(labels[OWNER_LABEL] ?? ''))
    .map((labels) => labels[STACK_LABEL] as string);
  return [...new Set(stacks)];
}
