/**
 * A small typed adapter over the docker CLI (execFile, no shell). Every failure is a
 * CommandError carrying the command line and stderr. Objects it creates must carry the
 * `io.rightsize.owner` label, so clean-up by label never touches anyone else's containers.
 *
 *   const docker = createDocker();
 *   const id = await docker.run({ image: 'rightsize-api:latest', labels: { [OWNER_LABEL]: owner },
 *                                 publish: [{ container: 8000 }], cpus: 0.5, memory: '256m' });
 *   const port = await docker.hostPort(id, 8000);
 */
import { getComposeEnv } from './config.js';
import {
  ContainerInspectSchema,
  ImageInspectSchema,
  parseJsonLines,
  parsePsLine,
  parseStatsLine,
  type ContainerInspect,
  type ContainerSummary,
  type ImageInspect,
  type StatsSample,
} from './docker-parse.js';
import { CommandError, RightsizeError, isRightsizeError } from './errors.js';
import { exec, streamLines, type ExecOptions, type ExecResult } from './exec.js';

export type { ContainerInspect, ContainerSummary, ImageInspect, StatsSample } from './docker-parse.js';

/** Label every object we create carries; its value identifies the run/test that owns it. */
export const OWNER_LABEL = 'io.rightsize.owner';

export interface DockerOptions {
  /** docker CLI (default: RIGHTSIZE_DOCKER_BIN or `docker`). */
  bin?: string;
  /** Extra environment for every command (e.g. DOCKER_CONFIG for an isolated login). */
  env?: Record<string, string | undefined>;
  /** Default timeout per command, ms (default 120 s; builds/pulls pass their own). */
  timeoutMs?: number;
}

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

export type Docker = ReturnType<typeof createDocker>;

export function createDocker(options: DockerOptions = {}) {
  const bin = options.bin ?? getComposeEnv().RIGHTSIZE_DOCKER_BIN ?? 'docker';
  const defaults: ExecOptions = { env: options.env, timeoutMs: options.timeoutMs ?? 120_000 };
  const cli = (args: string[], extra: ExecOptions = {}): Promise<ExecResult> => exec(bin, args, { ...defaults, ...extra });
  const labelArgs = (labels: Record<string, string>) => Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  const filterArgs = (labels: Record<string, string>) =>
    Object.entries(labels).flatMap(([k, v]) => ['--filter', v === '' ? `label=${k}` : `label=${k}=${v}`]);
  const requireOwner = (labels: Record<string, string>, what: string) => {
    if (!labels[OWNER_LABEL]) {
      throw new RightsizeError('DOCKER_ERR_NO_OWNER', `${what}: labels must include ${OWNER_LABEL} so clean-up by label can find it`);
    }
  };
  /** Removal commands treat "already gone" as success: clean-up runs twice on failures. */
  const ignoreMissing = async (run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (err) {
      if (err instanceof CommandError && /no such|not found/i.test(err.stderr)) return;
      throw err;
    }
  };

  const api = {
    bin,
    /** Raw access for the odd command this adapter does not wrap. */
    cli,

    /** Server version, or throws if no engine answers. */
    async serverVersion(timeoutMs = 10_000): Promise<string> {
      const { stdout } = await cli(['version', '--format', '{{.Server.Version}}'], { timeoutMs });
      return stdout.trim();
    },

    /** `docker info` fields as JSON (Swarm state, cgroup version, ...). */
    async info(): Promise<Record<string, unknown>> {
      const { stdout } = await cli(['info', '--format', '{{json .}}']);
      return JSON.parse(stdout) as Record<string, unknown>;
    },

    /** Starts a detached container; resolves to its id. */
    async run(opts: RunOptions): Promise<string> {
      requireOwner(opts.labels, `docker run ${opts.image}`);
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
      const { stdout } = await cli(args);
      return stdout.trim();
    },

    /** Force-removes containers with their anonymous volumes; missing ones are fine. */
    async rm(ids: string | string[]): Promise<void> {
      const list = [ids].flat();
      if (list.length === 0) return;
      await ignoreMissing(() => cli(['rm', '--force', '--volumes', ...list]));
    },

    async inspect(id: string): Promise<ContainerInspect> {
      const { stdout } = await cli(['inspect', '--type', 'container', id]);
      const [first] = JSON.parse(stdout) as unknown[];
      return ContainerInspectSchema.parse(first);
    },

    /** Health status (`healthy`/`unhealthy`/`starting`), or `none` without a HEALTHCHECK. */
    async health(id: string): Promise<{ status: string; running: boolean; exitCode: number; oomKilled: boolean; health: string }> {
      const s = (await api.inspect(id)).State;
      return { status: s.Status, running: s.Running, exitCode: s.ExitCode, oomKilled: s.OOMKilled, health: s.Health?.Status ?? 'none' };
    },

    /** Host port the engine mapped to `containerPort`. */
    async hostPort(id: string, containerPort: number, protocol: 'tcp' | 'udp' = 'tcp'): Promise<number> {
      const ports = (await api.inspect(id)).NetworkSettings.Ports ?? {};
      const binding = ports[`${containerPort}/${protocol}`]?.[0];
      if (!binding) throw new RightsizeError('DOCKER_ERR_PARSE', `container ${id} publishes no ${containerPort}/${protocol}`);
      return Number(binding.HostPort);
    },

    /** Polls until HEALTHCHECK says healthy (or, without one, the container runs). */
    async waitHealthy(id: string, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<void> {
      const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
      for (;;) {
        const h = await api.health(id);
        if (h.health === 'healthy' || (h.health === 'none' && h.running)) return;
        if (!h.running && h.status !== 'created') {
          const logs = await api.logs(id, { tail: 30 }).catch(() => ({ stdout: '', stderr: '' }));
          throw new RightsizeError('COMPOSE_ERR_UNHEALTHY', `container ${id.slice(0, 12)} exited (${h.exitCode}${h.oomKilled ? ', OOM-killed' : ''}) before healthy:\n${logs.stdout}${logs.stderr}`);
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
      return parseJsonLines(stdout, (l) => parseStatsLine(l, at));
    },

    /**
     * Continuous samples (about one per second per container) until stop(). The 28.x CLI
     * redraws each round twice; a second sample for the same container within 500 ms is a
     * redraw, not a measurement, and is dropped.
     */
    statsStream(ids: string | string[], onSample: (s: StatsSample) => void, onError?: (e: unknown) => void): StatsStream {
      const lastAt = new Map<string, number>();
      const stream = streamLines(
        bin,
        ['stats', '--no-trunc', '--format', '{{json .}}', ...[ids].flat()],
        (line) => {
          try {
            const s = parseStatsLine(line);
            if (!s || s.at - (lastAt.get(s.id) ?? 0) < 500) return;
            lastAt.set(s.id, s.at);
            onSample(s);
          } catch (err) {
            onError?.(err);
          }
        },
        { env: options.env },
      );
      return { stop: () => stream.stop(), done: stream.done.then(() => undefined) };
    },

    async logs(id: string, opts: { tail?: number; since?: string } = {}): Promise<ExecResult> {
      const args = ['logs'];
      if (opts.tail !== undefined) args.push('--tail', String(opts.tail));
      if (opts.since) args.push('--since', opts.since);
      return cli([...args, id]);
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

    async networkCreate(opts: { name: string; labels: Record<string, string>; driver?: string; internal?: boolean; attachable?: boolean }): Promise<string> {
      requireOwner(opts.labels, `docker network create ${opts.name}`);
      const args = ['network', 'create', ...labelArgs(opts.labels)];
      if (opts.driver) args.push('--driver', opts.driver);
      if (opts.internal) args.push('--internal');
      if (opts.attachable) args.push('--attachable');
      const { stdout } = await cli([...args, opts.name]);
      return stdout.trim();
    },
    async networkRm(names: string | string[]): Promise<void> {
      const list = [names].flat();
      if (list.length) await ignoreMissing(() => cli(['network', 'rm', ...list]));
    },
    async volumeRm(names: string | string[]): Promise<void> {
      const list = [names].flat();
      if (list.length) await ignoreMissing(() => cli(['volume', 'rm', '--force', ...list]));
    },

    /** Containers (running or not) carrying all the given labels ('' value = label present). */
    async listContainers(labels: Record<string, string>, opts: { all?: boolean } = {}): Promise<ContainerSummary[]> {
      const { stdout } = await cli(['ps', ...(opts.all === false ? [] : ['--all']), '--no-trunc', ...filterArgs(labels), '--format', '{{json .}}']);
      return parseJsonLines(stdout, parsePsLine);
    },
    async listNetworks(labels: Record<string, string>): Promise<Array<{ id: string; name: string }>> {
      const { stdout } = await cli(['network', 'ls', '--no-trunc', ...filterArgs(labels), '--format', '{{.ID}}\t{{.Name}}']);
      return parseJsonLines(stdout, (l) => (l.trim() ? { id: l.split('\t')[0]!, name: l.split('\t')[1] ?? '' } : undefined));
    },
    async listVolumes(labels: Record<string, string>): Promise<Array<{ name: string }>> {
      const { stdout } = await cli(['volume', 'ls', ...filterArgs(labels), '--format', '{{.Name}}']);
      return parseJsonLines(stdout, (l) => (l.trim() ? { name: l.trim() } : undefined));
    },

    /** Image metadata, or undefined when no such image is present locally. */
    async imageInspect(ref: string): Promise<ImageInspect | undefined> {
      try {
        const { stdout } = await cli(['image', 'inspect', ref]);
        const [first] = JSON.parse(stdout) as unknown[];
        return ImageInspectSchema.parse(first);
      } catch (err) {
        if (err instanceof CommandError && /no such image/i.test(err.stderr)) return undefined;
        throw err;
      }
    },
    async tag(source: string, target: string): Promise<void> {
      await cli(['tag', source, target]);
    },
    /** Removes an image tag. Only for images this project built or tagged. */
    async imageRm(ref: string): Promise<void> {
      await ignoreMissing(() => cli(['image', 'rm', ref]));
    },
    /** Pushes and returns the manifest digest the registry reported (sha256:...). */
    async push(ref: string, timeoutMs = 600_000): Promise<string> {
      const { stdout } = await cli(['push', ref], { timeoutMs });
      const digest = /digest: (sha256:[0-9a-f]{64})/.exec(stdout)?.[1];
      if (!digest) throw new RightsizeError('DOCKER_ERR_PARSE', `docker push ${ref}: no digest in output:\n${stdout}`);
      return digest;
    },
    async pull(ref: string, timeoutMs = 600_000): Promise<void> {
      await cli(['pull', ref], { timeoutMs });
    },
    /** Logs in with the password on stdin (never on the command line). */
    async login(opts: { registry: string; username: string; password: string }): Promise<void> {
      await cli(['login', '--username', opts.username, '--password-stdin', opts.registry], { input: opts.password });
    },
    async logout(registry: string): Promise<void> {
      await cli(['logout', registry]);
    },
  };
  return Object.freeze(api);
}

export { isRightsizeError };
