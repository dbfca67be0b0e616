/**
 * The stack under test for one trial, through @rightsize/compose: the API service with the
 * trial's replicas and limits behind the HAProxy balancer, on a network this trial created and
 * labelled with the sweep's owner (so the load runner may target it). Ready means: compose says
 * every container is healthy, the balancer lists every replica UP, and the health path answers
 * 200 through the balancer.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCompose, type Compose } from '@rightsize/compose/compose';
import { OWNER_LABEL, type Docker } from '@rightsize/compose/docker';
import type { TrialConfig } from '../core/config-space.js';
import { abortedError, SweepError, throwIfAborted } from '../errors.js';
import { stackCpuset, type Plan } from '../plan/plan-schema.js';
import { formatMemory } from '../plan/units.js';
import type { SampledContainer } from './container-sampler.js';
import { freeLoopbackPort } from '@rightsize/compose/net';
import { getText } from './http.js';
import { parseHaproxyCsv, upServers } from './haproxy-stats.js';

export const DEFAULT_COMPOSE_FILE = fileURLToPath(new URL('../../../compose/docker-compose.yml', import.meta.url));
const SERVICE_LABEL = 'com.docker.compose.service';
/** what the generator targets inside the stack's network (docs/architecture.md) */
export const LB_INTERNAL_URL = 'http://lb:8080';

export interface StackHandle {
  project: string;
  network: string;
  /** the balancer on the host's loopback */
  hostUrl: string;
  statsUrl: string;
  containers(): Promise<SampledContainer[]>;
  /** API replicas that compose started */
  apiContainerIds(): Promise<string[]>;
  logs(tail: number): Promise<string>;
  down(): Promise<void>;
}

export interface StackUpOptions {
  project: string;
  owner: string;
  config: TrialConfig;
  plan: Plan;
  signal: AbortSignal;
  onDetail?: (detail: string) => void;
}

export interface StackAdapter {
  up(options: StackUpOptions): Promise<StackHandle>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with `work`, or rejects as soon as the signal aborts (work's own failure is then ignored). */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(abortedError(signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => undefined);
      reject(abortedError(signal.reason));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

export function createComposeStackAdapter(options: { docker: Docker; files?: string[]; cores?: number }): StackAdapter {
  const files = options.files ?? [DEFAULT_COMPOSE_FILE];
  return {
    async up({ project, owner, config, plan, signal, onDetail }) {
      if (plan.runtime !== 'compose') {
        throw new SweepError('SWEEP_ERR_ARGS', `runtime "${plan.runtime}" is not implemented by the sweep yet`, { key: 'runtime', hint: 'use runtime: compose' });
      }
      const [port, statsPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
      const compose: Compose = createCompose({
        projectName: project,
        owner,
        files: files.map((f) => path.resolve(f)),
        docker: options.docker,
        env: {
          ...plan.target.env,
          API_IMAGE: plan.target.image,
          API_PORT: String(plan.target.port),
          API_HEALTH_PATH: plan.target.health_path,
          API_REPLICAS: String(config.replicas),
          API_CPUS: String(config.cpus),
          API_MEMORY: formatMemory(config.memory_mib),
          RIGHTSIZE_PORT: String(port),
          RIGHTSIZE_STATS_PORT: String(statsPort),
        },
      });
      const handle: StackHandle = {
        project,
        network: '',
        hostUrl: `http://127.0.0.1:${port}`,
        statsUrl: `http://127.0.0.1:${statsPort}/stats;csv`,
        containers: async () => (await compose.ps()).map((c) => ({ id: c.id, name: c.name, service: c.labels[SERVICE_LABEL] ?? 'unknown' })),
        apiContainerIds: async () => (await compose.ps('api')).map((c) => c.id),
        logs: (tail) => compose.logs({ tail }),
        down: () => compose.down({ timeoutSec: 5 }),
      };
      const timeoutMs = plan.trial.healthy_timeout * 1000;
      onDetail?.(`compose up ${project}: ${config.replicas} x api (${config.cpus} CPU, ${formatMemory(config.memory_mib)})`);
      await compose.up({ scale: { api: config.replicas }, wait: false });
      // compose's wait fails fast (with logs) when a container exits, e.g. OOM-killed while starting
      await untilAborted(compose.waitHealthy({ timeoutMs, expect: { api: config.replicas } }), signal);

      const cpuset = plan.trial.pin_stack ? stackCpuset(options.cores ?? os.availableParallelism(), plan.load.generator.cpus) : null;
      if (cpuset) {
        const ids = (await compose.ps()).map((c) => c.id);
        onDetail?.(`pinning the stack to cores ${cpuset}, apart from the generator`);
        await options.docker.cli(['update', '--cpuset-cpus', cpuset, ...ids]);
      }
      const lb = (await compose.ps('lb'))[0];
      if (!lb) throw new SweepError('SWEEP_ERR_STACK_UP', `compose project ${project} has no "lb" service`, { hint: `check ${files.join(', ')}` });
      const inspect = await options.docker.inspect(lb.id);
      const networks = Object.keys(inspect.NetworkSettings.Networks ?? {});
      const network = networks.find((n) => n.startsWith(project)) ?? networks[0];
      if (!network) throw new SweepError('SWEEP_ERR_STACK_UP', `the balancer of ${project} is on no network`);
      const labels = JSON.parse((await options.docker.cli(['network', 'inspect', '--format', '{{json .Labels}}', network])).stdout || 'null') as Record<string, string> | null;
      if (labels?.[OWNER_LABEL] !== owner) {
        throw new SweepError('SWEEP_ERR_STACK_UP', `network ${network} does not carry ${OWNER_LABEL}=${owner}; the load runner only targets networks the run created`, { hint: 'the compose file must label its network with ${RIGHTSIZE_OWNER}' });
      }
      handle.network = network;

      onDetail?.(`waiting for ${config.replicas} replica(s) UP behind the balancer`);
      const deadline = Date.now() + timeoutMs;
      let last = '';
      for (;;) {
        throwIfAborted(signal);
        const stats = await getText(handle.statsUrl);
        const up = stats?.status === 200 ? upServers(parseHaproxyCsv(stats.text)).length : 0;
        const health = up >= config.replicas ? await getText(`${handle.hostUrl}${plan.target.health_path}`) : null;
        if (health?.status === 200) break;
        last = `${up}/${config.replicas} replicas UP in the balancer${health ? `, ${plan.target.health_path} answered ${health.status}` : ''}`;
        if (Date.now() > deadline) {
          throw new SweepError('SWEEP_ERR_UNHEALTHY', `stack ${project} not ready after ${plan.trial.healthy_timeout} s: ${last}`, { hint: 'raise trial.healthy_timeout, or check the logs in the trial folder' });
        }
        await sleep(500);
      }
      return handle;
    },
  };
}
