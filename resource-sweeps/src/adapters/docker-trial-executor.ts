/**
 * One trial on the real engine: clean start, stack up with the configuration's limits, ready
 * behind the balancer, per-second sampling, a warm-up at the trial's starting load (its own generator, not judged), stepped load until the objective breaks or
 * the target holds, and tear-down ALWAYS (finally), abort included. Raw files go to the trial's
 * folder (load summary, samples, stack logs); the measurements become the record through the
 * pure recordTrial.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Docker } from '@rightsize/compose/docker';
import { configKey } from '../core/config-space.js';
import type { ContainerEvent, ContainerSample, HostSample } from '../core/samples.js';
import { recordTrial } from '../engine/record-trial.js';
import type { TrialExecutor } from '../engine/trial-executor.js';
import { abortedError, isSweepError } from '../errors.js';
import type { TrialRecord } from '../results/trial-record.js';
import type { CgroupReader } from './cgroup.js';
import { LB_INTERNAL_URL, type StackAdapter, type StackHandle } from './stack-common.js';
import { startContainerSampler, type ContainerSampler } from './container-sampler.js';
import type { LoadDriver, LoadResult } from './load-driver.js';
import { requestPath } from './request-body.js';
import { removeProject, removeStaleSweeps } from './stale-cleanup.js';

export interface DockerTrialExecutorOptions {
  docker: Docker;
  stack: StackAdapter;
  load: LoadDriver;
  cgroups: CgroupReader;
  /** this sweep process's owner label value (createSweepOwner) */
  owner: string;
  cores: number;
}

const jsonl = (rows: readonly unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');

export function createDockerTrialExecutor(options: DockerTrialExecutorOptions): TrialExecutor {
  const { docker } = options;
  return {
    async cleanupStale() {
      const n = await removeStaleSweeps(docker);
      const total = n.stacks + n.containers + n.networks + n.volumes;
      const removed = total ? `removed what crashed sweeps left behind: ${n.stacks ? `${n.stacks} swarm stacks, ` : ''}${n.containers} containers, ${n.networks} networks, ${n.volumes} volumes` : null;
      return [removed, n.swarm].filter(Boolean).join('; ') || null;
    },

    close: () => options.stack.close?.() ?? Promise.resolve(null),

    async run(spec, hooks, signal): Promise<TrialRecord> {
      const started = new Date();
      const rel = path.join('trials', `${String(spec.index).padStart(3, '0')}-${configKey(spec.config)}-a${spec.attempt}`);
      const dir = path.join(spec.dir, rel);
      await mkdir(dir, { recursive: true });
      const project = `${options.owner}-t${spec.index}a${spec.attempt}`;
      const plan = spec.plan;
      const notes: string[] = [];
      let handle: StackHandle | undefined;
      let sampler: ContainerSampler | undefined;
      let load: LoadResult | undefined;
      let warmup: LoadResult | undefined;
      let failure: unknown;
      let samples: ContainerSample[] = [];
      let host: HostSample[] = [];
      let startupEvents: ContainerEvent[] = [];
      try {
        hooks.phase('up', `project ${project}`);
        handle = await options.stack.prepare({ project, owner: options.owner, config: spec.config, plan, signal, onDetail: (d) => hooks.phase('up', d) });
        await handle.up();
        hooks.phase('healthy', `${spec.config.replicas} replica(s) up behind the balancer`);
        sampler = startContainerSampler({
          docker,
          cgroups: options.cgroups,
          list: handle.containers,
          intervalMs: plan.trial.sample_interval * 1000,
          cores: options.cores,
          onSample: (s) => hooks.sample({ t: s.t, name: s.name, service: s.service, cpu_pct: s.cpu_pct, mem_mib: s.mem_mib, mem_limit_mib: s.mem_limit_mib }),
          onError: (e) => notes.push(`sampler: ${(e as Error).message.split('\n')[0]}`),
        });
        // the warm-up: the trial's own generator offers its starting load (per replica what the first judged step will), not judged
        const warm = spec.load.warmup(spec.steps);
        if (warm) {
          hooks.phase('warmup', `${warm.step.users} users for ${warm.rampS + warm.holdS} s, not judged`);
          warmup = await options.load.run(
            spec.load.loadOptions([warm.step], { url: LB_INTERNAL_URL, network: handle.network, owner: options.owner, outDir: path.join(dir, 'warmup'), runId: `${project}-warm` }, { rampS: warm.rampS, holdS: warm.holdS }),
            { signal, onProgress: (p) => hooks.load(p), onLog: (m) => hooks.warn(`#${spec.index} warm-up: ${m}`) },
          );
          const t = warmup.summary.totals;
          notes.push(`warm-up: ${warm.step.users} users for ${warm.rampS + warm.holdS} s, ${t.requests} requests, p95 ${Math.round(t.latency_ms.p95)} ms, ${(t.errors.rate * 100).toFixed(1)} % errors (not judged)`);
        }
        if (signal.aborted) throw abortedError(signal.reason);
        hooks.phase('load', `${spec.steps[0]?.users} to ${spec.steps[spec.steps.length - 1]?.users} users`);
        load = await options.load.run(spec.load.loadOptions(spec.steps, { url: LB_INTERNAL_URL, network: handle.network, owner: options.owner, outDir: path.join(dir, 'load'), runId: project }), {
          signal,
          onProgress: (p) => hooks.load(p),
          onLog: (m) => hooks.warn(`#${spec.index}: ${m}`),
        });
      } catch (error) {
        failure = error;
      } finally {
        const stopped = await sampler?.stop();
        samples = stopped?.samples ?? [];
        host = stopped?.host ?? [];
        hooks.phase('down', `project ${project}`);
        if (failure !== undefined) {
          startupEvents = (await handle?.exits().catch(() => [])) ?? [];
          if (handle) await writeFile(path.join(dir, 'stack.log'), await handle.logs(300).catch((e: Error) => e.message));
        }
        // ALWAYS: the stack down (compose down, docker stack rm), then anything left with this trial's labels (a generator, a half-made network)
        await handle?.down().catch((e: Error) => notes.push(`${plan.runtime} down: ${e.message.split('\n')[0]}`));
        await removeProject(docker, project).catch((e: Error) => notes.push(`clean-up: ${e.message.split('\n')[0]}`));
        await writeFile(path.join(dir, 'samples.jsonl'), jsonl([...samples, ...host.map((h) => ({ host: true, ...h }))]));
      }
      if (signal.aborted) throw abortedError(signal.reason);
      if (isSweepError(failure) && (failure.code === 'SWEEP_ERR_LOAD' || failure.code === 'SWEEP_ERR_ARGS' || failure.code === 'SWEEP_ERR_ABORTED')) throw failure;

      return recordTrial(spec, {
        started,
        finished: new Date(),
        load,
        warmup,
        failure,
        samples,
        host,
        startupEvents,
        notes,
        targetUrl: `${LB_INTERNAL_URL}${requestPath(plan.target.protocol)}`,
        samplesFile: path.join(rel, 'samples.jsonl'),
      });
    },
  };
}
