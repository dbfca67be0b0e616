/**
 * Real sweeps for the HTTP API: the same adapters the CLI wires (compose stack, load runner,
 * cgroup sampler) under a fresh owner label per sweep, so stopping one and cleaning up by
 * label never touches anything else. Everything a request can get wrong (a missing run folder,
 * a missing image, no engine) is refused before the sweep starts.
 */
import os from 'node:os';
import path from 'node:path';
import { createDocker, type Docker } from '@rightsize/compose/docker';
import { createCgroupReader } from '../../adapters/cgroup.js';
import { createStackAdapter } from '../../adapters/stack-adapter.js';
import { createDockerTrialRunner } from '../../adapters/docker-trial-runner.js';
import { createLoadtestDriver } from '../../adapters/load-driver.js';
import { createSweepOwner, removeSweepOwner } from '../../adapters/stale-cleanup.js';
import { getSweepEnv } from '../../config.js';
import { createSweep } from '../../engine/sweep-engine.js';
import { SweepError } from '../../errors.js';
import { createRunStore } from '../../results/run-store.js';
import { RUN_SCHEMA_ID, type RunMeta } from '../../results/trial-record.js';
import { composeFilesFromEnv, gitCommit, machineInfo, makeRunId, resolveRunDir } from '../../run-setup.js';
import type { SweepFactory } from '../sweep-control.js';

export async function requireDockerEngine(docker: Docker): Promise<void> {
  try {
    await docker.serverVersion(10_000);
  } catch (cause) {
    throw new SweepError('SWEEP_ERR_DOCKER', 'no Docker engine answers', { cause, hint: 'start it (dockerd >/var/log/dockerd.log 2>&1 &) and check `docker info`' });
  }
}

export function createDockerSweepFactory(options: { reportsRoot: string; docker?: Docker; composeFiles?: string[] }): SweepFactory {
  const docker = options.docker ?? createDocker();
  return async (request, signal) => {
    const resumeDir = request.kind === 'resume' ? await resolveRunDir(request.run, options.reportsRoot) : null;
    await requireDockerEngine(docker);
    let meta: RunMeta | undefined;
    let dir: string;
    if (request.kind === 'resume') {
      dir = resumeDir as string;
    } else {
      if (!(await docker.imageInspect(request.plan.target.image))) {
        throw new SweepError('SWEEP_ERR_STACK_UP', `image ${request.plan.target.image} is not present`, { key: 'plan.target.image', hint: 'build the images with `npm run images -- --offline` (no registry is reachable to pull from)' });
      }
      const runId = request.runId ?? makeRunId(request.plan.name);
      dir = path.join(options.reportsRoot, runId);
      meta = { schema: RUN_SCHEMA_ID, run_id: runId, created_at: new Date().toISOString(), plan_source: request.source, plan: request.plan, machine: await machineInfo(docker), git_commit: await gitCommit() };
    }
    const store = createRunStore({ dir });
    // a resumed run reads its plan back; an unreadable run.json is the request's problem, said now
    const runMeta = meta ?? (await store.readMeta());
    const owner = createSweepOwner();
    const files = options.composeFiles ?? composeFilesFromEnv();
    const root = getSweepEnv().RIGHTSIZE_CGROUP_ROOT;
    const runner = createDockerTrialRunner({
      docker,
      stack: createStackAdapter({ docker, ...(files ? { files } : {}) }),
      load: createLoadtestDriver({ docker }),
      cgroups: createCgroupReader(root ? { root } : {}),
      owner,
      cores: os.availableParallelism(),
    });
    const sweep = createSweep({ store, ...(meta ? { meta } : {}), runner, signal });
    return {
      sweep,
      runId: runMeta.run_id,
      dir,
      plan: runMeta.plan,
      owner,
      dispose: async () => {
        await removeSweepOwner(docker, owner);
      },
    };
  };
}
