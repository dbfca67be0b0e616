/**
 * The sweep factory's ports on the real machine: the Docker engine, the compose/swarm stack
 * adapter, the load runner, the cgroup sampler and owner labels for clean-up. The CLI and the
 * HTTP API both build their sweeps on these (src/engine/sweep-factory.ts assembles them).
 */
import os from 'node:os';
import { createDocker, type Docker } from '@rightsize/compose/docker';
import { getSweepEnv } from '../config.js';
import type { SweepPorts } from '../engine/sweep-factory.js';
import { SweepError } from '../errors.js';
import { composeFilesFromEnv } from '../run-setup.js';
import { createCgroupReader } from './cgroup.js';
import { createDockerTrialExecutor } from './docker-trial-executor.js';
import { createLoadtestDriver } from './load-driver.js';
import { gitCommit, machineInfo } from './machine-facts.js';
import { createStackAdapter } from './stack-adapter.js';
import { checkSwarmRuntime } from './swarm-mode.js';
import { createSweepOwner, removeSweepOwner } from './stale-cleanup.js';

/** The engine, once it answers; SWEEP_ERR_DOCKER (with how to start it) when it does not. */
export async function requireDockerEngine(docker: Docker = createDocker()): Promise<Docker> {
  try {
    await docker.serverVersion(10_000);
  } catch (cause) {
    throw new SweepError('SWEEP_ERR_DOCKER', 'no Docker engine answers', { cause, hint: 'start it (dockerd >/var/log/dockerd.log 2>&1 &) and check `docker info`' });
  }
  return docker;
}

/** RIGHTSIZE_SWARM_INIT says yes (1, true, yes). */
export function swarmInitFromEnv(): boolean {
  return /^(1|true|yes)$/i.test(getSweepEnv().RIGHTSIZE_SWARM_INIT ?? '');
}

/**
 * `composeFiles`: the stack under test (default: RIGHTSIZE_SWEEP_COMPOSE_FILES, else
 * compose/docker-compose.yml). `swarmInit`: a `runtime: swarm` sweep may enter swarm mode itself
 * (default RIGHTSIZE_SWARM_INIT); otherwise such a sweep on an engine outside swarm mode is refused.
 */
export function createDockerSweepPorts(options: { docker: Docker; composeFiles?: string[]; swarmInit?: boolean }): SweepPorts {
  const { docker } = options;
  const swarmInit = options.swarmInit ?? swarmInitFromEnv();
  const files = options.composeFiles ?? composeFilesFromEnv();
  const cgroupRoot = getSweepEnv().RIGHTSIZE_CGROUP_ROOT;
  return {
    requireEngine: async () => {
      await requireDockerEngine(docker);
    },
    checkRuntime: async (plan) => {
      if (plan.runtime === 'swarm') await checkSwarmRuntime(docker, { allowInit: swarmInit });
    },
    imagePresent: async (image) => Boolean(await docker.imageInspect(image)),
    machine: () => machineInfo(docker),
    gitCommit: () => gitCommit(),
    createOwner: () => createSweepOwner(),
    trialExecutor: (owner) =>
      createDockerTrialExecutor({
        docker,
        stack: createStackAdapter({ docker, swarmInit, ...(files ? { files } : {}) }),
        load: createLoadtestDriver({ docker }),
        cgroups: createCgroupReader(cgroupRoot ? { root: cgroupRoot } : {}),
        owner,
        cores: os.availableParallelism(),
      }),
    removeOwner: async (owner) => {
      await removeSweepOwner(docker, owner);
    },
  };
}
