/**
 * An adapter over the Compose CLI that works with both spellings: `docker compose` (v2, what
 * users have) and `docker-compose` (v1 1.29, what Debian 12 ships). Project name, files,
 * profiles and environment are always passed explicitly, so nothing depends on the current
 * directory's `.env` or on the caller's shell.
 *
 *   const compose = createCompose({ projectName: 'rs-test-x1', files: [stackFile], env: { API_REPLICAS: '3' } });
 *   await compose.up({ wait: { timeoutMs: 90_000 } });
 *   ...
 *   await compose.down(); // -v --remove-orphans
 *
 * Waiting for health is done here (polling `docker inspect`), not with `up --wait`, because
 * v1 has no `--wait`.
 */
import path from 'node:path';
import { getComposeEnv } from './config.js';
import { createDocker, OWNER_LABEL, type ContainerSummary, type Docker } from './docker.js';
import { RightsizeError } from './errors.js';
import { exec, type ExecResult } from './exec.js';

export const PROJECT_LABEL = 'com.docker.compose.project';
export const SERVICE_LABEL = 'com.docker.compose.service';
export const CONTAINER_NUMBER_LABEL = 'com.docker.compose.container-number';

export interface ComposeCli {
  flavor: 'v2' | 'v1';
  /** Program to run and the arguments that precede compose's own (`['compose']` for v2). */
  file: string;
  prefix: string[];
  version: string;
}

let detected: Promise<ComposeCli> | undefined;

/**
 * Finds a Compose CLI: RIGHTSIZE_COMPOSE if set ("docker compose", "docker-compose" or a
 * binary's path), else `docker compose` (v2), else `docker-compose` (v1). Cached per process.
 */
export function detectCompose(opts: { dockerBin?: string; force?: string } = {}): Promise<ComposeCli> {
  if (opts.force || opts.dockerBin) return detect(opts);
  detected ??= detect(opts);
  return detected;
}

function candidatesFor(opts: { dockerBin?: string; force?: string }): Array<{ file: string; prefix: string[] }> {
  const env = getComposeEnv();
  const dockerBin = opts.dockerBin ?? env.RIGHTSIZE_DOCKER_BIN ?? 'docker';
  const forced = opts.force ?? env.RIGHTSIZE_COMPOSE;
  const plugin = { file: dockerBin, prefix: ['compose'] };
  const standalone = { file: 'docker-compose', prefix: [] as string[] };
  // A forced value is "docker compose", "docker-compose", or the path of a compose binary
  // (v1 or a standalone v2): its flavor comes from the version it reports.
  if (!forced) return [plugin, standalone];
  if (forced === 'docker compose') return [plugin];
  if (forced.includes(' ')) return [{ file: forced.split(' ')[0]!, prefix: forced.split(' ').slice(1) }];
  return [{ file: forced, prefix: [] }];
}

async function probe(c: { file: string; prefix: string[] }): Promise<ComposeCli> {
  const { stdout } = await exec(c.file, [...c.prefix, 'version', '--short'], { timeoutMs: 20_000 });
  const version = stdout.trim().replace(/^v/, '');
  return { ...c, version, flavor: version.startsWith('1.') ? 'v1' : 'v2' };
}

async function detect(opts: { dockerBin?: string; force?: string }): Promise<ComposeCli> {
  const tried: string[] = [];
  for (const c of candidatesFor(opts)) {
    try {
      return await probe(c);
    } catch (err) {
      tried.push(`${[c.file, ...c.prefix].join(' ')}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  const forced = opts.force ?? getComposeEnv().RIGHTSIZE_COMPOSE;
  throw new RightsizeError(
    'COMPOSE_ERR_NOT_INSTALLED',
    `no Compose CLI found (tried ${tried.join('; ')}). Install the Compose v2 plugin or docker-compose (Debian: apt-get install -y docker-compose)${forced ? `, or unset RIGHTSIZE_COMPOSE="${forced}"` : ''}.`,
  );
}

/**
 * Every Compose CLI that answers: the v2 plugin and v1 when both are installed, plus
 * RIGHTSIZE_COMPOSE_V2_BIN (a standalone v2 binary), so tests can prove both spellings.
 */
export async function listComposeClis(): Promise<ComposeCli[]> {
  const extra = getComposeEnv().RIGHTSIZE_COMPOSE_V2_BIN;
  const found: ComposeCli[] = [];
  for (const c of [...candidatesFor({}), ...(extra ? [{ file: extra, prefix: [] as string[] }] : [])]) {
    const cli = await probe(c).catch(() => undefined);
    if (cli && !found.some((f) => f.file === cli.file && f.prefix.join() === cli.prefix.join())) found.push(cli);
  }
  return found;
}

export interface ComposeOptions {
  /** Must start with `rs-` (lowercase letters, digits, `-`, `_`). */
  projectName: string;
  /** Compose files, resolved against the current directory. */
  files: string[];
  /** Variables for interpolation (API_REPLICAS, RIGHTSIZE_PORT, ...). Undefined unsets. */
  env?: Record<string, string | undefined>;
  profiles?: string[];
  /** Value of io.rightsize.owner on everything the stack creates (default: projectName). */
  owner?: string;
  /** Force a CLI instead of detecting one. */
  cli?: ComposeCli;
  docker?: Docker;
}

export interface UpOptions {
  services?: string[];
  /** Replica counts, e.g. `{ api: 3 }` (`--scale`). */
  scale?: Record<string, number>;
  /** Wait until every container is healthy (or running, without a health check). */
  wait?: false | { timeoutMs?: number; oneShot?: string[] };
  forceRecreate?: boolean;
  timeoutMs?: number;
}

export type Compose = ReturnType<typeof createCompose>;

export function createCompose(options: ComposeOptions) {
  if (!/^rs-[a-z0-9][a-z0-9_-]*$/.test(options.projectName)) {
    throw new RightsizeError('COMPOSE_ERR_PROJECT_NAME', `compose project name "${options.projectName}" must start with "rs-" and use only lowercase letters, digits, "-" and "_"`);
  }
  const docker = options.docker ?? createDocker();
  const files = options.files.map((f) => path.resolve(f));
  const owner = options.owner ?? options.projectName;
  const env = { RIGHTSIZE_OWNER: owner, ...options.env };
  const project = options.projectName;

  async function run(args: string[], timeoutMs = 300_000): Promise<ExecResult> {
    const cli = options.cli ?? (await detectCompose());
    const base = [...cli.prefix, '--project-name', project, ...files.flatMap((f) => ['--file', f])];
    const profileArgs = (options.profiles ?? []).flatMap((p) => ['--profile', p]);
    return exec(cli.file, [...base, ...profileArgs, ...args], {
      env: { ...env, COMPOSE_PROFILES: undefined, COMPOSE_FILE: undefined, COMPOSE_PROJECT_NAME: undefined },
      cwd: path.dirname(files[0] ?? '.'),
      timeoutMs,
      hint: `compose project ${project}; files ${files.join(', ')}`,
    });
  }

  const api = {
    projectName: project,
    owner,
    files,
    /** Raw compose command with the project's name, files, profiles and env. */
    run,

    /** The merged, interpolated configuration (`config`), as YAML text. */
    async config(): Promise<string> {
      return (await run(['config'])).stdout;
    },

    async up(opts: UpOptions = {}): Promise<void> {
      const args = ['up', '--detach', '--no-build', '--remove-orphans'];
      if (opts.forceRecreate) args.push('--force-recreate');
      for (const [svc, n] of Object.entries(opts.scale ?? {})) args.push('--scale', `${svc}=${n}`);
      await run([...args, ...(opts.services ?? [])], opts.timeoutMs);
      if (opts.wait !== false) await api.waitHealthy({ ...(opts.wait ?? {}), expect: opts.scale });
    },

    /** Stops and removes containers, networks and volumes (`down -v --remove-orphans`). */
    async down(opts: { timeoutSec?: number } = {}): Promise<void> {
      await run(['down', '--volumes', '--remove-orphans', '--timeout', String(opts.timeoutSec ?? 10)]);
    },

    /** Changes a service's replica count without touching the others. */
    async scale(service: string, replicas: number, opts: { wait?: false | { timeoutMs?: number } } = {}): Promise<void> {
      await run(['up', '--detach', '--no-build', '--no-recreate', '--scale', `${service}=${replicas}`, service]);
      if (opts.wait !== false) await api.waitHealthy({ ...(opts.wait ?? {}), services: [service], expect: { [service]: replicas } });
    },

    /** The project's containers (by compose label, same for v1 and v2), optionally one service. */
    async ps(service?: string): Promise<ContainerSummary[]> {
      const labels: Record<string, string> = { [PROJECT_LABEL]: project };
      if (service) labels[SERVICE_LABEL] = service;
      const list = await docker.listContainers(labels);
      return list.sort((a, b) => Number(a.labels[CONTAINER_NUMBER_LABEL] ?? 0) - Number(b.labels[CONTAINER_NUMBER_LABEL] ?? 0));
    },

    /** Host address of a published port (`port`): `{ host, port }`. */
    async port(service: string, privatePort: number, opts: { index?: number } = {}): Promise<{ host: string; port: number }> {
      const { stdout } = await run(['port', '--index', String(opts.index ?? 1), service, String(privatePort)]);
      const m = /^(.*):(\d+)\s*$/m.exec(stdout.trim());
      if (!m) throw new RightsizeError('DOCKER_ERR_PARSE', `${service}:${privatePort} is not published (compose port said "${stdout.trim()}")`);
      const host = m[1] === '0.0.0.0' || m[1] === '' || m[1] === '::' ? '127.0.0.1' : m[1]!;
      return { host, port: Number(m[2]) };
    },

    async logs(opts: { services?: string[]; tail?: number } = {}): Promise<string> {
      const args = ['logs', '--no-color'];
      if (opts.tail !== undefined) args.push('--tail', String(opts.tail));
      const { stdout, stderr } = await run([...args, ...(opts.services ?? [])]);
      return stdout + stderr;
    },

    /**
     * Polls until every container of the project (or of `services`) is healthy, or running if
     * it has no health check; `oneShot` services must instead have exited 0. `expect` waits
     * for that many replicas per service. Fails early when a container exits, with its logs.
     */
    async waitHealthy(opts: { timeoutMs?: number; services?: string[]; oneShot?: string[]; expect?: Record<string, number> } = {}): Promise<void> {
      const timeoutMs = opts.timeoutMs ?? 120_000;
      const deadline = Date.now() + timeoutMs;
      let pending: string[] = [];
      while (Date.now() < deadline) {
        pending = [];
        const containers = (await api.ps()).filter((c) => !opts.services || opts.services.includes(c.labels[SERVICE_LABEL] ?? ''));
        for (const [svc, n] of Object.entries(opts.expect ?? {})) {
          const have = containers.filter((c) => c.labels[SERVICE_LABEL] === svc).length;
          if (have < n) pending.push(`${svc}: ${have}/${n} replicas`);
        }
        for (const c of containers) {
          const svc = c.labels[SERVICE_LABEL] ?? c.name;
          const s = await docker.health(c.id).catch(() => undefined);
          if (!s) continue; // removed meanwhile (scale down)
          if (opts.oneShot?.includes(svc)) {
            if (!s.running && s.status === 'exited' && s.exitCode !== 0) await failExited(c, s.exitCode, s.oomKilled);
            if (s.status !== 'exited') pending.push(`${c.name}: ${s.status}`);
            continue;
          }
          if (!s.running && ['exited', 'dead'].includes(s.status)) await failExited(c, s.exitCode, s.oomKilled);
          if (!(s.running && (s.health === 'healthy' || s.health === 'none'))) pending.push(`${c.name}: ${s.status}/${s.health}`);
        }
        if (pending.length === 0) return;
        await new Promise((r) => setTimeout(r, 500));
      }
      throw new RightsizeError('COMPOSE_ERR_UNHEALTHY', `compose project ${project} not healthy after ${timeoutMs} ms: ${pending.join(', ')}\n${await api.logs({ tail: 20 }).catch(() => '')}`, { pending });
    },
  };

  async function failExited(c: ContainerSummary, exitCode: number, oom: boolean): Promise<never> {
    const logs = await docker.logs(c.id, { tail: 40 }).catch(() => ({ stdout: '', stderr: '' }));
    throw new RightsizeError('COMPOSE_ERR_UNHEALTHY', `${c.name} exited with ${exitCode}${oom ? ' (OOM-killed)' : ''}:\n${logs.stdout}${logs.stderr}`, { container: c.name, exitCode });
  }

  return Object.freeze(api);
}

export { OWNER_LABEL };
