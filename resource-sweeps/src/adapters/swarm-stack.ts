/**
 * `runtime: swarm`: the same compose file deployed with `docker stack deploy` on a single-node
 * swarm (entered for the sweep if the engine is not in swarm mode, see swarm-mode.ts). What
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
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Docker } from '@rightsize/compose/docker';
import { SweepError, throwIfAborted } from '../errors.js';
import { createStackHandle, DEFAULT_COMPOSE_FILE, describeConfig, sleep, type StackAdapter } from './stack-common.js';
import { failedTasks, removeStack, serviceReplicas, STACK_LABEL, stackContainers } from './swarm-stacks.js';
import { createSwarmSession, type SwarmSession } from './swarm-mode.js';

/** Pure: the override deployed after the user's compose file (JSON is YAML). */
export function swarmOverride(options: { port: number; statsPort: number }): string {
  const hostPort = (target: number, published: number) => ({ target, published, protocol: 'tcp', mode: 'host' });
  const restart = { condition: 'none' };
  return JSON.stringify(
    {
      version: '3.8',
      services: {
        api: { deploy: { restart_policy: restart } },
        lb: { ports: [hostPort(8080, options.port), hostPort(8404, options.statsPort)], deploy: { endpoint_mode: 'dnsrr', restart_policy: restart } },
      },
    },
    null,
    2,
  );
}

/** Pure: whether every expected service runs all its tasks. */
export function converged(replicas: Record<string, { running: number; desired: number }>, expect: Record<string, number>): boolean {
  return Object.entries(expect).every(([svc, n]) => replicas[svc]?.desired === n && replicas[svc]?.running === n);
}

const deployHint = (stderr: string) =>
  /ingress mode can't be used with dnsrr/i.test(stderr)
    ? "a compose file publishes lb on other ports than ${RIGHTSIZE_PORT}/${RIGHTSIZE_STATS_PORT}: the sweep's host-mode override replaces only those"
    : /No such image|not found/i.test(stderr)
      ? 'build the images with `npm run images -- --offline` (nothing can be pulled)'
      : 'check the compose file deploys with `docker stack deploy -c <file> <name>`; the trial folder has stack.log';

export function createSwarmStackAdapter(options: { docker: Docker; files?: string[]; cores?: number }): StackAdapter {
  const files = (options.files ?? [DEFAULT_COMPOSE_FILE]).map((f) => path.resolve(f));
  const { docker } = options;
  let session: SwarmSession | undefined;
  return {
    async prepare(stack) {
      const { project, owner, config, plan, signal, onDetail } = stack;
      if (plan.runtime !== 'swarm') throw new SweepError('SWEEP_ERR_ARGS', `this stack adapter drives Swarm, the plan asks for runtime "${plan.runtime}"`, { key: 'runtime', hint: 'use createStackAdapter, which picks the adapter by plan.runtime' });
      session ??= createSwarmSession({ docker, owner });
      const containers = () => stackContainers(docker, project);
      return createStackHandle(stack, options, ({ port, statsPort, env }) => {
        let tmp: string | undefined;
        return {
          containers,
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
            const entered = (await session?.ensure()) ?? null;
            if (entered) onDetail?.(entered);
            tmp = await mkdtemp(path.join(os.tmpdir(), `${project}-`));
            const override = path.join(tmp, 'swarm-override.json');
            await writeFile(override, swarmOverride({ port, statsPort }));
            onDetail?.(`docker stack deploy ${project}: ${describeConfig(config)}`);
            // --resolve-image never: no registry answers, the images are local
            await docker.stackDeploy({ stack: project, files: [...files, override], env, resolveImage: 'never', detach: true, timeoutMs: 120_000 }).catch((cause: { stderr?: string; message: string }) => {
              throw new SweepError('SWEEP_ERR_STACK_UP', `docker stack deploy ${project} failed: ${(cause.stderr ?? cause.message).trim().split('\n').slice(-3).join(' ')}`, { cause, hint: deployHint(cause.stderr ?? '') });
            });
            await waitConverged({ docker, project, expect: { api: config.replicas, lb: 1 }, deadline: Date.now() + plan.trial.healthy_timeout * 1000, signal, timeoutS: plan.trial.healthy_timeout });
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

async function waitConverged(options: { docker: Docker; project: string; expect: Record<string, number>; deadline: number; timeoutS: number; signal: AbortSignal }): Promise<void> {
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
      const state = Object.entries(options.expect).map(([svc, n]) => `${svc}: ${replicas[svc]?.running ?? 0}/${n}`).join(', ');
      throw new SweepError('SWEEP_ERR_UNHEALTHY', `stack ${project} not converged after ${options.timeoutS} s: ${state}`, { hint: 'raise trial.healthy_timeout, or check stack.log in the trial folder' });
    }
    await sleep(500);
  }
}
