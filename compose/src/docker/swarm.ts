/**
 * Swarm mode: entering and leaving it, node labels, services, and stacks deployed from compose
 * files (`docker stack deploy`). Part of the Docker adapter (docker.ts).
 */
import { parseServiceLs, parseStackPs, ServiceInspectSchema, TaskInspectSchema, type ServiceInspect, type ServiceSummary, type TaskInspect, type TaskState } from '../docker-parse.js';
import type { ExecResult } from '../exec.js';
import { filterArgs, type DockerContext } from './context.js';

export interface StackDeployOptions {
  stack: string;
  /** compose files, later ones overriding earlier ones */
  files: string[];
  /** the compose files' variables (this command's extra environment, in place of the adapter's) */
  env?: Record<string, string | undefined>;
  /** `never`: use local images only (nothing can be pulled here) */
  resolveImage?: 'always' | 'changed' | 'never';
  /** `--detach=<value>`; omitted: the CLI's default */
  detach?: boolean;
  timeoutMs?: number;
}

export interface SwarmState {
  /** this engine is in swarm mode */
  active: boolean;
  nodeId: string;
  /** a manager (`docker stack deploy` needs one) */
  manager: boolean;
}

export function swarmOps({ cli }: DockerContext) {
  async function stackTaskTable(stack: string): Promise<string> {
    return (await cli(['stack', 'ps', '--no-trunc', '--format', '{{.Name}}\t{{.CurrentState}}\t{{.Error}}', stack])).stdout;
  }
  return {
    /** Whether this engine is in swarm mode, as which node, and whether it manages the swarm. */
    async swarmState(): Promise<SwarmState> {
      const { stdout } = await cli(['info', '--format', '{{json .Swarm}}']);
      const swarm = JSON.parse(stdout || 'null') as { LocalNodeState?: string; NodeID?: string; ControlAvailable?: boolean } | null;
      return { active: swarm?.LocalNodeState === 'active', nodeId: swarm?.NodeID ?? '', manager: swarm?.ControlAvailable === true };
    },
    /** `docker swarm init` on this engine, advertising loopback (a single-node swarm). */
    async swarmInit(opts: { advertiseAddr?: string; timeoutMs?: number } = {}): Promise<void> {
      await cli(['swarm', 'init', '--advertise-addr', opts.advertiseAddr ?? '127.0.0.1'], opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {});
    },
    /** `docker swarm leave --force` (a swarm's last manager leaves only by force). */
    async swarmLeave(opts: { timeoutMs?: number } = {}): Promise<void> {
      await cli(['swarm', 'leave', '--force'], opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {});
    },
    /** A node's labels (`Spec.Labels`). */
    async nodeLabels(nodeId: string): Promise<Record<string, string>> {
      const { stdout } = await cli(['node', 'inspect', '--format', '{{json .Spec.Labels}}', nodeId]);
      return (JSON.parse(stdout || 'null') as Record<string, string> | null) ?? {};
    },
    /** Adds and removes node labels in one `docker node update`; nothing to change runs nothing. */
    async updateNodeLabels(nodeId: string, change: { add?: Record<string, string>; rm?: string[] }): Promise<void> {
      const args = [...Object.entries(change.add ?? {}).flatMap(([k, v]) => ['--label-add', `${k}=${v}`]), ...(change.rm ?? []).flatMap((k) => ['--label-rm', k])];
      if (args.length) await cli(['node', 'update', ...args, nodeId]);
    },

    /** Services carrying all the given labels ('' value = label present; none = every service), with running/desired tasks. */
    async listServices(labels: Record<string, string> = {}): Promise<ServiceSummary[]> {
      const { stdout } = await cli(['service', 'ls', ...filterArgs(labels), '--format', '{{.Name}}\t{{.Replicas}}']);
      return parseServiceLs(stdout);
    },
    /** Names and labels of services (by name or id). */
    async inspectServices(services: string[]): Promise<ServiceInspect[]> {
      if (services.length === 0) return [];
      const docs = JSON.parse((await cli(['service', 'inspect', ...services])).stdout) as unknown[];
      return docs.map((d) => ServiceInspectSchema.parse(d));
    },
    async serviceLogs(service: string, opts: { tail?: number } = {}): Promise<ExecResult> {
      return cli(['service', 'logs', '--no-task-ids', ...(opts.tail !== undefined ? ['--tail', String(opts.tail)] : []), service]);
    },

    /** `docker stack deploy`; resolves to the CLI's output (it reports progress on stderr). */
    async stackDeploy(opts: StackDeployOptions): Promise<ExecResult> {
      const args = ['stack', 'deploy', ...(opts.resolveImage ? ['--resolve-image', opts.resolveImage] : [])];
      if (opts.detach !== undefined) args.push(`--detach=${opts.detach}`);
      args.push(...opts.files.flatMap((f) => ['--compose-file', f]), opts.stack);
      return cli(args, { ...(opts.env ? { env: opts.env } : {}), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
    },
    /** `docker stack rm`: returns at once; Swarm removes the services, containers and networks asynchronously. */
    async stackRm(stack: string): Promise<void> {
      await cli(['stack', 'rm', stack]);
    },
    /** The stack's tasks as the table a person reads (name, state, error; replaced tasks under `\\_ `). */
    stackTaskTable,
    /** The ids of every task of a service, earlier (replaced) ones included. */
    async serviceTaskIds(service: string): Promise<string[]> {
      return (await cli(['service', 'ps', '-q', '--no-trunc', service])).stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    },
    /** Tasks inspected: node, container, state, exit code, published ports, limits. */
    async inspectTasks(ids: string[]): Promise<TaskInspect[]> {
      if (ids.length === 0) return [];
      const docs = JSON.parse((await cli(['inspect', '--type', 'task', ...ids])).stdout) as unknown[];
      return docs.map((d) => TaskInspectSchema.parse(d));
    },
    /** The address each node advertises to the swarm (`Status.Addr`) and its hostname, by node id. */
    async nodeAddresses(nodeIds: string[]): Promise<Record<string, { addr: string; hostname: string }>> {
      if (nodeIds.length === 0) return {};
      const { stdout } = await cli(['node', 'inspect', '--format', '{{.ID}}\t{{.Status.Addr}}\t{{.Description.Hostname}}', ...nodeIds]);
      const rows = stdout.split('\n').map((l) => l.trim().split('\t'));
      return Object.fromEntries(rows.filter((r) => r.length === 3 && r[0]).map(([id, addr, hostname]) => [id as string, { addr: addr as string, hostname: hostname as string }]));
    },
    /** The stack's tasks, earlier (replaced) ones included. */
    async stackTasks(stack: string): Promise<TaskState[]> {
      return parseStackPs(await stackTaskTable(stack));
    },
  };
}
