/**
 * Containers: run, inspect, wait for health, sample, read logs, stop and remove them, list them
 * by label, and re-pin them to cores. Part of the Docker adapter (docker.ts).
 */
import {
  ContainerInspectSchema,
  parseLines,
  parsePsLine,
  parseStatsLine,
  type ContainerInspect,
  type ContainerSummary,
  type StatsSample,
} from '../docker-parse.js';
import { RightsizeError } from '../errors.js';
import type { ExecResult, LineStream } from '../exec.js';
import { filterArgs, ignoreMissing, labelArgs, requireOwner, type DockerContext } from './context.js';

export interface PortMapping {
  container: number;
  /** Host port; omitted = the engine picks a free one (read it back with hostPort). */
  host?: number;
  /** Default 127.0.0.1: test containers are never exposed beyond loopback. */
  hostIp?: string;
  protocol?: 'tcp' | 'udp';
}

export interface RunOptions {
  image: string;
  /** Must include OWNER_LABEL. */
  labels: Record<string, string>;
  name?: string;
  env?: Record<string, string>;
  publish?: PortMapping[];
  network?: string;
  networkAliases?: string[];
  /** CPU limit in cores (`--cpus`). */
  cpus?: number;
  /** Memory limit (`--memory`), e.g. "256m". */
  memory?: string;
  readOnly?: boolean;
  tmpfs?: string[];
  /** `-v` specs, e.g. "/host/dir:/in/container:ro". */
  volumes?: string[];
  user?: string;
  workdir?: string;
  entrypoint?: string;
  command?: string[];
  init?: boolean;
  stopTimeoutSec?: number;
  /** Anything else, passed before the image name. */
  extraArgs?: string[];
}

export interface StatsStream {
  stop(): Promise<void>;
  /** Resolves when `docker stats` exits (it does when every container is gone). */
  readonly done: Promise<void>;
}

export interface ContainerHealth {
  status: string;
  running: boolean;
  exitCode: number;
  oomKilled: boolean;
  health: string;
}

function runArgs(opts: RunOptions): string[] {
  const args = ['run', '--detach', ...labelArgs(opts.labels)];
  if (opts.name) args.push('--name', opts.name);
  for (const [k, v] of Object.entries(opts.env ?? {})) args.push('--env', `${k}=${v}`);
  for (const p of opts.publish ?? []) {
    args.push('--publish', `${p.hostIp ?? '127.0.0.1'}:${p.host ?? ''}:${p.container}/${p.protocol ?? 'tcp'}`);
  }
  if (opts.network) args.push('--network', opts.network);
  for (const a of opts.networkAliases ?? []) args.push('--network-alias', a);
  if (opts.cpus !== undefined) args.push('--cpus', String(opts.cpus));
  if (opts.memory !== undefined) args.push('--memory', opts.memory);
  if (opts.readOnly) args.push('--read-only');
  for (const t of opts.tmpfs ?? []) args.push('--tmpfs', t);
  for (const v of opts.volumes ?? []) args.push('--volume', v);
  if (opts.user) args.push('--user', opts.user);
  if (opts.workdir) args.push('--workdir', opts.workdir);
  if (opts.entrypoint !== undefined) args.push('--entrypoint', opts.entrypoint);
  if (opts.init) args.push('--init');
  if (opts.stopTimeoutSec !== undefined) args.push('--stop-timeout', String(opts.stopTimeoutSec));
  args.push(...(opts.extraArgs ?? []), opts.image, ...(opts.command ?? []));
  return args;
}

export function containerOps({ cli, stream }: DockerContext) {
  /** Several containers in one `docker inspect`; fails when one of them is gone. */
  const inspectContainers = async (ids: string[]): Promise<ContainerInspect[]> => {
    if (ids.length === 0) return [];
    const docs = JSON.parse((await cli(['inspect', '--type', 'container', ...ids])).stdout) as unknown[];
    return docs.map((d) => ContainerInspectSchema.parse(d));
  };
  const inspect = async (id: string): Promise<ContainerInspect> => (await inspectContainers([id]))[0] as ContainerInspect;

  /** Health status (`healthy`/`unhealthy`/`starting`), or `none` without a HEALTHCHECK. */
  const health = async (id: string): Promise<ContainerHealth> => {
    const s = (await inspect(id)).State;
    return { status: s.Status, running: s.Running, exitCode: s.ExitCode, oomKilled: s.OOMKilled, health: s.Health?.Status ?? 'none' };
  };

  const logs = async (id: string, opts: { tail?: number; since?: string } = {}): Promise<ExecResult> => {
    const args = ['logs'];
    if (opts.tail !== undefined) args.push('--tail', String(opts.tail));
    if (opts.since) args.push('--since', opts.since);
    return cli([...args, id]);
  };

  return {
    /** Starts a detached container; resolves to its id. */
    async run(opts: RunOptions): Promise<string> {
      requireOwner(opts.labels, `docker run ${opts.image}`);
      return (await cli(runArgs(opts))).stdout.trim();
    },

    /** Force-removes containers with their anonymous volumes; missing ones are fine. */
    async rm(ids: string | string[]): Promise<void> {
      const list = [ids].flat();
      if (list.length === 0) return;
      await ignoreMissing(() => cli(['rm', '--force', '--volumes', ...list]));
    },

    inspect,
    inspectContainers,

    health,

    /** Host port the engine mapped to `containerPort`. */
    async hostPort(id: string, containerPort: number, protocol: 'tcp' | 'udp' = 'tcp'): Promise<number> {
      const ports = (await inspect(id)).NetworkSettings.Ports ?? {};
      const binding = ports[`${containerPort}/${protocol}`]?.[0];
      if (!binding) throw new RightsizeError('DOCKER_ERR_PARSE', `container ${id} publishes no ${containerPort}/${protocol}`);
      return Number(binding.HostPort);
    },

    /** Polls until HEALTHCHECK says healthy (or, without one, the container runs). */
    async waitHealthy(id: string, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<void> {
      const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
      for (;;) {
        const h = await health(id);
        if (h.health === 'healthy' || (h.health === 'none' && h.running)) return;
        if (!h.running && h.status !== 'created') {
          const tail = await logs(id, { tail: 30 }).catch(() => ({ stdout: '', stderr: '' }));
          throw new RightsizeError('COMPOSE_ERR_UNHEALTHY', `container ${id.slice(0, 12)} exited (${h.exitCode}${h.oomKilled ? ', OOM-killed' : ''}) before healthy:\n${tail.stdout}${tail.stderr}`);
        }
        if (Date.now() > deadline) {
          throw new RightsizeError('COMPOSE_ERR_UNHEALTHY', `container ${id.slice(0, 12)} not healthy after ${opts.timeoutMs ?? 60_000} ms (health: ${h.health})`);
        }
        await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
      }
    },

    /** One sample per container (`docker stats --no-stream`; takes ~1-2 s). */
    async stats(ids: string | string[]): Promise<StatsSample[]> {
      const { stdout } = await cli(['stats', '--no-stream', '--no-trunc', '--format', '{{json .}}', ...[ids].flat()]);
      const at = Date.now();
      return parseLines(stdout, (l) => parseStatsLine(l, at));
    },

    /**
     * Continuous samples (about one per second per container) until stop(). The 28.x CLI
     * redraws each round twice; a second sample for the same container within 500 ms is a
     * redraw, not a measurement, and is dropped.
     */
    statsStream(ids: string | string[], onSample: (s: StatsSample) => void, onError?: (e: unknown) => void): StatsStream {
      const lastAt = new Map<string, number>();
      const lines = stream(['stats', '--no-trunc', '--format', '{{json .}}', ...[ids].flat()], (line) => {
        try {
          const s = parseStatsLine(line);
          if (!s || s.at - (lastAt.get(s.id) ?? 0) < 500) return;
          lastAt.set(s.id, s.at);
          onSample(s);
        } catch (err) {
          onError?.(err);
        }
      });
      return { stop: () => lines.stop(), done: lines.done.then(() => undefined) };
    },

    logs,

    /** `docker logs --follow`: one callback per stdout line until the container ends or stop(). */
    followLogs(id: string, onLine: (line: string) => void): LineStream {
      return stream(['logs', '--follow', id], onLine);
    },

    async kill(id: string, signal = 'SIGKILL'): Promise<void> {
      await cli(['kill', '--signal', signal, id]);
    },
    async stop(id: string, timeoutSec = 10): Promise<void> {
      await cli(['stop', '--time', String(timeoutSec), id], { timeoutMs: (timeoutSec + 30) * 1000 });
    },
    async start(id: string): Promise<void> {
      await cli(['start', id]);
    },
    /** Waits for the container to exit; resolves to its exit code. */
    async wait(id: string, timeoutMs = 120_000): Promise<number> {
      const { stdout } = await cli(['wait', id], { timeoutMs });
      return Number(stdout.trim());
    },
    async execIn(id: string, command: string[], opts: { user?: string } = {}): Promise<ExecResult> {
      return cli(['exec', ...(opts.user ? ['--user', opts.user] : []), id, ...command]);
    },

    /** Containers (running or not) carrying all the given labels ('' value = label present). */
    async listContainers(labels: Record<string, string>, opts: { all?: boolean } = {}): Promise<ContainerSummary[]> {
      const { stdout } = await cli(['ps', ...(opts.all === false ? [] : ['--all']), '--no-trunc', ...filterArgs(labels), '--format', '{{json .}}']);
      return parseLines(stdout, parsePsLine);
    },

    /** Pins running containers to the given cores (`docker update --cpuset-cpus`, e.g. "1-3"). */
    async updateCpuset(ids: string[], cpuset: string): Promise<void> {
      if (ids.length) await cli(['update', '--cpuset-cpus', cpuset, ...ids]);
    },
  };
}
