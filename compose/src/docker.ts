/**
 * A small typed adapter over the docker CLI (execFile, no shell). Every failure is a
 * CommandError carrying the command line and stderr. Objects it creates must carry the
 * `io.rightsize.owner` label, so clean-up by label never touches anyone else's containers.
 * Callers get typed operations only: the arguments are built and Docker's output parsed here
 * (docker/*.ts, docker-parse.ts), never at a call site.
 *
 *   const docker = createDocker();
 *   const id = await docker.run({ image: 'rightsize-api:latest', labels: { [OWNER_LABEL]: owner },
 *                                 publish: [{ container: 8000 }], cpus: 0.5, memory: '256m' });
 *   const port = await docker.hostPort(id, 8000);
 */
import { isRightsizeError } from './errors.js';
import { containerOps } from './docker/containers.js';
import { createDockerContext, type DockerOptions } from './docker/context.js';
import { imageOps } from './docker/images.js';
import { networkOps } from './docker/networks.js';
import { swarmOps } from './docker/swarm.js';

export type {
  ContainerInspect,
  ContainerSummary,
  ImageInspect,
  NetworkInspect,
  NetworkSummary,
  ServiceInspect,
  ServiceSummary,
  StatsSample,
  TaskInspect,
  TaskState,
  VolumeSummary,
} from './docker-parse.js';
export type { ContainerHealth, PortMapping, RunOptions, StatsStream } from './docker/containers.js';
export type { StackDeployOptions, SwarmState } from './docker/swarm.js';
export { OWNER_LABEL, type DockerOptions } from './docker/context.js';

export type Docker = ReturnType<typeof createDocker>;

export function createDocker(options: DockerOptions = {}) {
  const ctx = createDockerContext(options);
  return Object.freeze({
    /** Server version, or throws if no engine answers. */
    async serverVersion(timeoutMs = 10_000): Promise<string> {
      const { stdout } = await ctx.cli(['version', '--format', '{{.Server.Version}}'], { timeoutMs });
      return stdout.trim();
    },

    ...containerOps(ctx),
    ...networkOps(ctx),
    ...imageOps(ctx),
    ...swarmOps(ctx),
  });
}

export { isRightsizeError };
