/**
 * `docker build` with BuildKit: the only builder that can hand the host's CA bundle to a RUN
 * step as a secret (never a layer). Finds a docker CLI that has BuildKit built in (Debian's
 * 20.10 `/usr/bin/docker`), or one with the buildx plugin.
 */
import { access } from 'node:fs/promises';
import { getComposeEnv } from '../config.js';
import { RightsizeError } from '../errors.js';
import { exec, streamLines } from '../exec.js';

export interface BuildkitCli {
  file: string;
  /** `['build']` or `['buildx', 'build', '--load']`. */
  prefix: string[];
}

let found: Promise<BuildkitCli> | undefined;

export function findBuildkit(): Promise<BuildkitCli> {
  found ??= (async () => {
    const forced = getComposeEnv().RIGHTSIZE_BUILD_DOCKER_BIN;
    const bins = forced ? [forced] : ['/usr/bin/docker', getComposeEnv().RIGHTSIZE_DOCKER_BIN ?? 'docker'];
    for (const file of bins) {
      const help = await exec(file, ['build', '--help'], { env: { DOCKER_BUILDKIT: '1' }, timeoutMs: 20_000 }).catch(() => undefined);
      if (help && /--secret/.test(help.stdout)) return { file, prefix: ['build'] };
      const buildx = await exec(file, ['buildx', 'version'], { timeoutMs: 20_000 }).catch(() => undefined);
      if (buildx) return { file, prefix: ['buildx', 'build', '--load'] };
    }
    throw new RightsizeError(
      'IMAGE_ERR_NO_BUILDKIT',
      `no docker CLI with BuildKit found (tried ${bins.join(', ')}): install Debian's docker.io (its /usr/bin/docker has BuildKit built in) or the buildx plugin, or set RIGHTSIZE_BUILD_DOCKER_BIN`,
    );
  })();
  return found;
}

export interface BuildOptions {
  dockerfile: string;
  context: string;
  tags: string[];
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  /** Host CA bundle passed as secret `ca` (skipped when undefined or absent). */
  caBundle?: string;
  target?: string;
  timeoutMs?: number;
  onLog?: (line: string) => void;
}

export async function buildkitBuild(o: BuildOptions): Promise<void> {
  const cli = await findBuildkit();
  const args = [...cli.prefix, '--progress', 'plain', '--file', o.dockerfile];
  for (const t of o.tags) args.push('--tag', t);
  for (const [k, v] of Object.entries(o.buildArgs ?? {})) args.push('--build-arg', `${k}=${v}`);
  for (const [k, v] of Object.entries(o.labels ?? {})) args.push('--label', `${k}=${v}`);
  if (o.caBundle && (await access(o.caBundle).then(() => true, () => false))) args.push('--secret', `id=ca,src=${o.caBundle}`);
  if (o.target) args.push('--target', o.target);
  args.push(o.context);
  const tail: string[] = [];
  const onLine = (line: string) => {
    tail.push(line);
    if (tail.length > 60) tail.shift();
    o.onLog?.(line);
  };
  const stream = streamLines(cli.file, args, onLine, { env: { DOCKER_BUILDKIT: '1' }, onStderrLine: onLine });
  const timer = setTimeout(() => void stream.stop(), o.timeoutMs ?? 20 * 60_000);
  const end = await stream.done;
  clearTimeout(timer);
  if (end.exitCode !== 0) {
    // BuildKit writes progress to stderr; the failing step is in its last lines.
    const said = tail.slice(-40).join('\n');
    throw new RightsizeError('IMAGE_ERR_BUILD', `building ${o.tags[0]} from ${o.dockerfile} failed (${end.signal ?? `exit ${end.exitCode}`}):\n${said}`, {
      command: [cli.file, ...args],
    });
  }
}
