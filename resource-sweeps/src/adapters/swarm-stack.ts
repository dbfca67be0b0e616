/**
 * `runtime: swarm`: the same compose file deployed with `docker stack deploy` on the engine's
 * swarm (entered for the sweep only with --swarm-init, see swarm-mode.ts). What
 * differs from Compose, and why:
 *  - Without IPVS (this machine's kernel) neither the routing mesh behind ingress-published
 *    ports nor services' virtual IPs work. An override file, deployed after the user's file,
 *    republishes lb's 8080/8404 in host mode on the ports this trial picked (the CLI merges
 *    ports by published port, so the ingress ones are replaced), and gives lb endpoint_mode
 *    dnsrr so that `lb` resolves to the task itself for the generator on the stack's overlay.
 *  - Swarm replaces a task that dies; Compose leaves it dead. The override sets the restart
 *    policy to `none` so a replica OOM-killed or exited stays visible as such (sampler,
 *    exits()) and the configuration fails as it would under Compose.
 *  - Ready = every service's tasks running (Swarm counts a task with a HEALTHCHECK only once
 *    healthy), failed or rejected tasks fail fast; then the balancer check both runtimes share.
 *  - API tasks may run on any node. The override adds a global `sampler` service (one task per
 *    node, node-sampler.ts) and the sweep samples each API task through the sampler on the
 *    task's own node, its state and limits from the task itself. The balancer is placed on the
 *    sweep's own node, where the generator runs and its network and container are inspected.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Docker } from '@rightsize/compose/docker';
import { SweepError, throwIfAborted } from '../errors.js';
import { OWNER_LABEL, type TaskInspect } from '@rightsize/compose/docker';
import type { ContainerEvent } from '../core/samples.js';
import type { SampledContainer, SampledStatus } from './container-sampler.js';
import { createNodeSamplers, NODE_SAMPLER_IMAGE, NODE_SAMPLER_PORT, NODE_SAMPLER_SERVICE } from './node-sampler.js';
import { containerExit, createStackHandle, DEFAULT_COMPOSE_FILE, describeConfig, sleep, type StackAdapter } from './stack-common.js';
import { failedTasks, removeStack, serviceReplicas, STACK_LABEL, stackContainers } from './swarm-stacks.js';
import { createSwarmSession, type SwarmSession } from './swarm-mode.js';

/**
 * Pure: the override deployed after the user's compose file (JSON is YAML). `nodeId`: the sweep's
 * own node, where the balancer is placed; `owner`: the run's owner label, on the sampler too.
 */
export function swarmOverride(options: { port: number; statsPort: number; nodeId: string; owner: string }): string {
  const hostPort = (target: number, published: number) => ({ target, published, protocol: 'tcp', mode: 'host' });
  const restart = { condition: 'none' };
  return JSON.stringify(
    {
      version: '3.8',
      services: {
        api: { deploy: { restart_policy: restart } },
        lb: {
          ports: [hostPort(8080, options.port), hostPort(8404, options.statsPort)],
          deploy: { endpoint_mode: 'dnsrr', restart_policy: restart, placement: { constraints: [`node.id == ${options.nodeId}`] } },
        },
        [NODE_SAMPLER_SERVICE]: {
          image: NODE_SAMPLER_IMAGE,
          environment: { NODE_ID: '{{.Node.ID}}', NODE_HOSTNAME: '{{.Node.Hostname}}' },
          volumes: [{ type: 'bind', source: '/sys/fs/cgroup', target: '/host/cgroup', read_only: true }],
          // host mode without a published port: Swarm picks a free one on each node; the sweep reads it from the task
          ports: [{ target: NODE_SAMPLER_PORT, protocol: 'tcp', mode: 'host' }],
          deploy: {
            mode: 'global',
            restart_policy: restart,
            labels: { [OWNER_LABEL]: options.owner },
            resources: { limits: { cpus: '0.2', memory: '128m' } },
          },
        },
      },
    },
    null,
    2,
  );
}

/** Pure: whether every expected service runs all its tasks (`'every node'`: a global service, however many nodes it has). */
export function converged(replicas: Record<string, { running: number; desired: number }>, expect: Record<string, number | 'every node'>): boolean {
  return Object.entries(expect).every(([svc, n]) => {
    const r = replicas[svc];
    return r !== undefined && (n === 'every node' ? r.desired > 0 : r.desired === n) && r.running === r.desired;
  });
}

const MIB = 1024 * 1024;

/** Pure: an API task as the sampler sees it: its container, name (as Docker names it), state and limits from the task. */
export function taskStatus(task: TaskInspect): SampledStatus {
  const limits = task.Spec.Resources?.Limits;
  return {
    running: task.Status.State === 'running',
    exitCode: task.Status.ContainerStatus?.ExitCode ?? null,
    cpuLimit: limits?.NanoCPUs ? limits.NanoCPUs / 1e9 : null,
    memLimitMib: limits?.MemoryBytes ? limits.MemoryBytes / MIB : null,
  };
}

/**
 * Pure: how an API task that is no longer running ended, when this engine cannot inspect its
 * container (another node): exit 137 with restart policy none is the kernel's OOM kill (a stop
 * by Swarm would have been asked for with SIGTERM first), said as inferred; null: still running or exited 0.
 */
export function taskExit(task: TaskInspect, name: string, node: string): ContainerEvent | null {
  const status = taskStatus(task);
  if (status.running || status.exitCode === null || status.exitCode === 0) return null;
  if (status.exitCode === 137) return { t: Date.now(), name, kind: 'oom', detail: `${name} was killed (exit 137) on node ${node}: an OOM kill, as its task reports it (that node's engine has the OOMKilled flag)` };
  return { t: Date.now(), name, kind: 'exit', detail: `${name} exited with code ${status.exitCode} on node ${node}` };
}

const deployHint = (stderr: string) =>
  /ingress mode can't be used with dnsrr/i.test(stderr)
    ? "a compose file publishes lb on other ports than ${RIGHTSIZE_PORT}/${RIGHTSIZE_STATS_PORT}: the sweep's host-mode override replaces only those"
    : /No such image|not found/i.test(stderr)
      ? 'build the images with `npm run images -- --offline` (nothing can be pulled)'
      : 'check the compose file deploys with `docker stack deploy -c <file> <name>`; the trial folder has stack.log';

/** `swarmInit`: the sweep may enter swarm mode itself (--swarm-init); otherwise an engine outside it is refused. */
export function createSwarmStackAdapter(options: { docker: Docker; files?: string[]; cores?: number; swarmInit?: boolean }): StackAdapter {
  const files = (options.files ?? [DEFAULT_COMPOSE_FILE]).map((f) => path.resolve(f));
  const { docker } = options;
  let session: SwarmSession | undefined;
  return {
    async prepare(stack) {
      const { project, owner, config, plan, signal, onDetail } = stack;
      if (plan.runtime !== 'swarm') throw new SweepError('SWEEP_ERR_ARGS', `this stack adapter drives Swarm, the plan asks for runtime "${plan.runtime}"`, { key: 'runtime', hint: 'use createStackAdapter, which picks the adapter by plan.runtime' });
      session ??= createSwarmSession({ docker, owner, allowInit: options.swarmInit ?? false });
      const swarm = session;
      const samplers = createNodeSamplers({ docker, service: `${project}_${NODE_SAMPLER_SERVICE}` });
      // the task ids are found once all replicas have one (restart policy none: never replaced); each tick inspects them again
      let taskIds: string[] = [];
      const apiTasks = async () => {
        if (taskIds.length < stack.config.replicas) taskIds = await docker.serviceTaskIds(`${project}_api`).catch(() => []);
        return (await docker.inspectTasks(taskIds).catch(() => [])).filter((t) => t.Status.ContainerStatus?.ContainerID);
      };
      const taskName = (t: TaskInspect) => `${project}_api.${t.Slot ?? 0}.${t.ID}`;
      // API tasks wherever they run, read through their node's sampler; the balancer (on this node) from this engine
      const containers = async (): Promise<SampledContainer[]> => {
        const [tasks, local] = await Promise.all([apiTasks(), stackContainers(docker, project)]);
        const api = await Promise.all(
          tasks.map(async (t) => {
            const reader = await samplers.readerFor(t.NodeID);
            return { id: t.Status.ContainerStatus?.ContainerID as string, name: taskName(t), service: 'api', node: await samplers.hostname(t.NodeID), status: taskStatus(t), ...(reader ? { cgroups: reader } : {}) };
          }),
        );
        return [...api, ...local.filter((c) => c.service !== 'api' && c.service !== NODE_SAMPLER_SERVICE)];
      };
      return createStackHandle(stack, options, ({ port, statsPort, env }) => {
        let tmp: string | undefined;
        return {
          containers,
          // a task on this node is inspected (the OOMKilled flag); one on another node is judged from its task
          async exits() {
            const events: ContainerEvent[] = [];
            for (const t of await apiTasks()) {
              // one inspect: it fails for a container on another node
              const state = await docker.inspect(t.Status.ContainerStatus?.ContainerID as string).then(
                (i) => i.State,
                () => null,
              );
              const event = state ? containerExit(taskName(t), state) : taskExit(t, taskName(t), await samplers.hostname(t.NodeID));
              if (event) events.push(event);
            }
            return events;
          },
          async logs(tail) {
            const tasks = await docker.stackTaskTable(project).catch((e: Error) => e.message);
            const logs = await Promise.all(['api', 'lb'].map((svc) => docker.serviceLogs(`${project}_${svc}`, { tail }).then((r) => r.stdout + r.stderr, (e: Error) => e.message)));
            return `# docker stack ps ${project}\n${tasks}\n${logs.join('\n')}`;
          },
          async down() {
            const s = await removeStack(docker, project);
            onDetail?.(`stack ${project} removed in ${s.toFixed(1)} s`);
            if (tmp) await rm(tmp, { recursive: true, force: true });
          },
          async deploy() {
            const entered = await swarm.ensure();
            if (entered) onDetail?.(entered);
            tmp = await mkdtemp(path.join(os.tmpdir(), `${project}-`));
            const override = path.join(tmp, 'swarm-override.json');
            await writeFile(override, swarmOverride({ port, statsPort, nodeId: (await docker.swarmState()).nodeId, owner }));
            onDetail?.(`docker stack deploy ${project}: ${describeConfig(config)}`);
            // --resolve-image never: no registry answers, the images are local
            await docker.stackDeploy({ stack: project, files: [...files, override], env, resolveImage: 'never', detach: true, timeoutMs: 120_000 }).catch((cause: { stderr?: string; message: string }) => {
              throw new SweepError('SWEEP_ERR_STACK_UP', `docker stack deploy ${project} failed: ${(cause.stderr ?? cause.message).trim().split('\n').slice(-3).join(' ')}`, { cause, hint: deployHint(cause.stderr ?? '') });
            });
            const deadline = Date.now() + plan.trial.healthy_timeout * 1000;
            await waitConverged({ docker, project, expect: { api: config.replicas, lb: 1, [NODE_SAMPLER_SERVICE]: 'every node' }, deadline, signal, timeoutS: plan.trial.healthy_timeout });
            const nodes = [...new Set((await apiTasks()).map((t) => t.NodeID))];
            await samplers.waitReady(nodes, { deadline, signal });
            onDetail?.(`API tasks on ${nodes.length} node(s) (${(await Promise.all(nodes.map((n) => samplers.hostname(n)))).join(', ')}), sampled by the node sampler on each`);
          },
          running: async () => (await docker.listContainers({ [STACK_LABEL]: project }, { all: false })).map((c) => c.id),
          async balancer(running) {
            const lb = (await containers()).find((c) => c.service === 'lb' && running.includes(c.id));
            if (!lb) throw new SweepError('SWEEP_ERR_STACK_UP', `stack ${project} has no running "lb" task`, { hint: `check ${files.join(', ')}` });
            return lb.id;
          },
        };
      });
    },
    async close() {
      const note = (await session?.close()) ?? null;
      session = undefined;
      return note;
    },
  };
}

async function waitConverged(options: { docker: Docker; project: string; expect: Record<string, number | 'every node'>; deadline: number; timeoutS: number; signal: AbortSignal }): Promise<void> {
  const { docker, project } = options;
  for (;;) {
    throwIfAborted(options.signal);
    const replicas = await serviceReplicas(docker, project);
    if (converged(replicas, options.expect)) return;
    // restart policy none: a task that failed is never replaced, so waiting longer cannot help
    const failed = failedTasks(await docker.stackTasks(project).catch(() => []));
    if (failed.length > 0) {
      throw new SweepError('SWEEP_ERR_UNHEALTHY', `stack ${project}: ${failed.map((t) => `${t.name} ${t.state}${t.error ? ` (${t.error})` : ''}`).join('; ')}`, { hint: 'a replica died while starting (see stack.log in the trial folder); a memory limit too small to start fails the configuration' });
    }
    if (Date.now() > options.deadline) {
      const state = Object.entries(options.expect).map(([svc, n]) => `${svc}: ${replicas[svc]?.running ?? 0}/${n === 'every node' ? (replicas[svc]?.desired ?? '?') : n}`).join(', ');
      throw new SweepError('SWEEP_ERR_UNHEALTHY', `stack ${project} not converged after ${options.timeoutS} s: ${state}`, { hint: 'raise trial.healthy_timeout, or check stack.log in the trial folder' });
    }
    await sleep(500);
  }
}
