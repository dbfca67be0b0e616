/**
 * What every runtime's stack under test shares: the contract the trial executor drives
 * (prepare -> up -> load -> down), the knobs the compose file reads, and the parts of "ready"
 * and "safe to load" that do not depend on who deployed the containers: pinning them apart from
 * the generator, the balancer's network carrying this run's owner label, every replica UP
 * behind the balancer with the health path answering through it, and replicas that died on
 * their own. The stack handle is built here once; Compose (compose-stack.ts) and Swarm
 * (swarm-stack.ts) give it only how they deploy, list, log and remove (a StackRuntime).
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { OWNER_LABEL, type ContainerInspect, type Docker } from '@rightsize/compose/docker';
import { isUp, parseHaproxyCsv, serverRows } from '@rightsize/compose/haproxy-stats';
import { freeLoopbackPort } from '@rightsize/compose/net';
import type { TrialConfig } from '../core/config-space.js';
import type { ContainerEvent } from '../core/samples.js';
import { abortedError, SweepError, throwIfAborted } from '../errors.js';
import { stackCpuset, type SweepPlan } from '../plan/plan-schema.js';
import { formatMemory } from '../plan/units.js';
import type { SampledContainer } from './container-sampler.js';
import { getText } from './http.js';

export const DEFAULT_COMPOSE_FILE = fileURLToPath(new URL('../../../compose/docker-compose.yml', import.meta.url));
/** what the generator targets inside the stack's network (docs/architecture.md) */
export const LB_INTERNAL_URL = 'http://lb:8080';

export interface StackOptions {
  project: string;
  owner: string;
  config: TrialConfig;
  plan: SweepPlan;
  signal: AbortSignal;
  onDetail?: (detail: string) => void;
}

/**
 * One trial's stack. It exists before anything is deployed, so that a failed `up` still has
 * a handle to read exits and logs from and to tear down.
 */
export interface StackHandle {
  project: string;
  /** the balancer's network, known once `up` resolved */
  network: string;
  /** the balancer on the host's loopback */
  hostUrl: string;
  statsUrl: string;
  /** deploys and resolves once ready: every replica healthy and UP behind the balancer, the health path 200 through it */
  up(): Promise<void>;
  /** every container of the stack, exited ones too (a dead replica must stay visible to the sampler) */
  containers(): Promise<SampledContainer[]>;
  /** API containers that died on their own (OOM-killed, exited non-zero) */
  exits(): Promise<ContainerEvent[]>;
  logs(tail: number): Promise<string>;
  /** removes the stack, whatever `up` got to; idempotent */
  down(): Promise<void>;
}

export interface StackAdapter {
  prepare(options: StackOptions): Promise<StackHandle>;
  /** once, when the sweep ends (abort included): undoes what the adapter set up for all trials; resolves to a note or null */
  close?(): Promise<string | null>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

/** The compose file's knobs for one trial (compose/README.md), the same under Compose and Swarm. */
function stackEnv(options: { plan: SweepPlan; config: TrialConfig; owner: string; port: number; statsPort: number }): Record<string, string> {
  const { plan, config } = options;
  return {
    ...plan.target.env,
    API_IMAGE: plan.target.image,
    API_PORT: String(plan.target.port),
    API_HEALTH_PATH: plan.target.health_path,
    API_REPLICAS: String(config.replicas),
    API_CPUS: String(config.cpus),
    API_MEMORY: formatMemory(config.memory_mib),
    RIGHTSIZE_OWNER: options.owner,
    RIGHTSIZE_PORT: String(options.port),
    RIGHTSIZE_STATS_PORT: String(options.statsPort),
  };
}

export const describeConfig = (config: TrialConfig) => `${config.replicas} x api (${config.cpus} CPU, ${formatMemory(config.memory_mib)})`;

/** `trial.pin_stack`: the stack's containers on the cores the generator is not pinned to. */
async function pinStack(options: { docker: Docker; ids: string[]; plan: SweepPlan; cores: number; onDetail?: ((d: string) => void) | undefined }): Promise<void> {
  const cpuset = options.plan.trial.pin_stack ? stackCpuset(options.cores, options.plan.load.generator.cpus) : null;
  if (!cpuset || options.ids.length === 0) return;
  options.onDetail?.(`pinning the stack to cores ${cpuset}, apart from the generator`);
  await options.docker.updateCpuset(options.ids, cpuset);
}

/**
 * The balancer's network, checked to carry this run's owner label: the load runner may only
 * target networks the run created (ENVIRONMENT.md, "Where load may go").
 */
async function ownedBalancerNetwork(options: { docker: Docker; lbId: string; project: string; owner: string }): Promise<string> {
  const { docker, project, owner } = options;
  const inspect = await docker.inspect(options.lbId);
  const networks = Object.keys(inspect.NetworkSettings.Networks ?? {});
  const network = networks.find((n) => n.startsWith(project)) ?? networks[0];
  if (!network) throw new SweepError('SWEEP_ERR_STACK_UP', `the balancer of ${project} is on no network`, { hint: 'the compose file must put lb on its default network' });
  const labels = (await docker.networkInspect(network)).Labels;
  if (labels?.[OWNER_LABEL] !== owner) {
    throw new SweepError('SWEEP_ERR_STACK_UP', `network ${network} does not carry ${OWNER_LABEL}=${owner}; the load runner only targets networks the run created`, { hint: 'the compose file must label its network with ${RIGHTSIZE_OWNER}' });
  }
  return network;
}

/** Polls HAProxy's stats and the health path through the balancer until every replica is UP and it answers 200. */
async function waitBalancerReady(options: { hostUrl: string; statsUrl: string; project: string; replicas: number; plan: SweepPlan; deadline: number; signal: AbortSignal }): Promise<void> {
  const { plan, replicas } = options;
  for (;;) {
    throwIfAborted(options.signal);
    const stats = await getText(options.statsUrl);
    const up = stats?.status === 200 ? serverRows(parseHaproxyCsv(stats.text)).filter(isUp).length : 0;
    const health = up >= replicas ? await getText(`${options.hostUrl}${plan.target.health_path}`) : null;
    if (health?.status === 200) return;
    const last = `${up}/${replicas} replicas UP in the balancer${health ? `, ${plan.target.health_path} answered ${health.status}` : ''}`;
    if (Date.now() > options.deadline) {
      throw new SweepError('SWEEP_ERR_UNHEALTHY', `stack ${options.project} not ready after ${plan.trial.healthy_timeout} s: ${last}`, { hint: 'raise trial.healthy_timeout, or check the logs in the trial folder' });
    }
    await sleep(500);
  }
}

/**
 * Containers that died on their own (OOM-killed, or exited non-zero), e.g. before the sampler
 * ran: a memory limit too small to even start is the configuration failing, not the machine.
 */
async function diedOnTheirOwn(docker: Docker, containers: readonly SampledContainer[]): Promise<ContainerEvent[]> {
  const events: ContainerEvent[] = [];
  for (const c of containers) {
    const event = containerExit(c.name, (await docker.inspect(c.id)).State);
    if (event) events.push(event);
  }
  return events;
}

/** Pure: how a container of this engine ended, from its inspected state, if it died on its own (OOM-killed or exited non-zero); null otherwise. */
export function containerExit(name: string, s: ContainerInspect['State']): ContainerEvent | null {
  if (s.OOMKilled) return { t: Date.now(), name, kind: 'oom', detail: `${name} was OOM-killed` };
  if (!s.Running && s.ExitCode !== 0 && s.Status === 'exited') return { t: Date.now(), name, kind: 'exit', detail: `${name} exited with code ${s.ExitCode}` };
  return null;
}

/** What differs between runtimes: how the stack is deployed, listed, logged and removed. */
export interface StackRuntime {
  /** every container of the stack, exited ones too */
  containers(): Promise<SampledContainer[]>;
  /** the API containers that died on their own; default: each inspected on this engine */
  exits?(): Promise<ContainerEvent[]>;
  logs(tail: number): Promise<string>;
  down(): Promise<void>;
  /** deploys and resolves once the runtime reports the stack up (Compose: healthy; Swarm: converged) */
  deploy(): Promise<void>;
  /** ids of the stack's running containers (the ones `trial.pin_stack` pins) */
  running(): Promise<string[]>;
  /** the balancer's container among the running ones; throws SWEEP_ERR_STACK_UP without one */
  balancer(running: string[]): Promise<string>;
}

/** The trial's loopback ports (balancer and its stats page) and the compose file's knobs with them. */
export interface StackPorts {
  port: number;
  statsPort: number;
  env: Record<string, string>;
}

/**
 * The one stack handle both runtimes return. It picks the trial's ports and hands them to the
 * runtime; `up` deploys through the runtime, pins the stack apart from the generator, checks the
 * balancer's network is this run's and waits until every replica is UP behind the balancer;
 * `exits` are the API containers that died on their own.
 */
export async function createStackHandle(stack: StackOptions, options: { docker: Docker; cores?: number | undefined }, runtimeFor: (ports: StackPorts) => StackRuntime): Promise<StackHandle> {
  const { project, owner, config, plan, signal, onDetail } = stack;
  const { docker } = options;
  const [port, statsPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const runtime = runtimeFor({ port, statsPort, env: stackEnv({ plan, config, owner, port, statsPort }) });
  const handle: StackHandle = {
    project,
    network: '',
    hostUrl: `http://127.0.0.1:${port}`,
    statsUrl: `http://127.0.0.1:${statsPort}/stats;csv`,
    containers: () => runtime.containers(),
    exits: async () => (runtime.exits ? runtime.exits() : diedOnTheirOwn(docker, (await runtime.containers()).filter((c) => c.service === 'api'))),
    logs: (tail) => runtime.logs(tail),
    down: () => runtime.down(),
    async up() {
      await runtime.deploy();
      const running = await runtime.running();
      await pinStack({ docker, ids: running, plan, cores: options.cores ?? os.availableParallelism(), onDetail });
      handle.network = await ownedBalancerNetwork({ docker, lbId: await runtime.balancer(running), project, owner });
      onDetail?.(`waiting for ${config.replicas} replica(s) UP behind the balancer`);
      await waitBalancerReady({ hostUrl: handle.hostUrl, statsUrl: handle.statsUrl, project, replicas: config.replicas, plan, deadline: Date.now() + plan.trial.healthy_timeout * 1000, signal });
    },
  };
  return handle;
}
