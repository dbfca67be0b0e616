/**
 * One trial on the real engine: clean start, stack up with the configuration's limits, ready
 * behind the balancer, warm-up, per-second sampling, stepped load until the objective breaks or
 * the target holds, and tear-down ALWAYS (finally), abort included. Raw files go to the trial's
 * folder (load summary, samples, stack logs); the record is judged by the pure evaluateTrial.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Docker } from '@rightsize/compose/docker';
import { configKey } from '../core/config-space.js';
import { containerEvents, serviceUsage, type ContainerEvent, type ContainerSample, type HostSample } from '../core/samples.js';
import { evaluateTrial, outcomeWithoutLoad, type Reason, type TrialOutcome } from '../core/trial-outcome.js';
import type { TrialRunner } from '../engine/trial-runner.js';
import { abortedError, isSweepError } from '../errors.js';
import { loadSteps } from '../plan/plan-schema.js';
import { TRIAL_SCHEMA_ID, type TrialRecord } from '../results/trial-record.js';
import type { CgroupReader } from './cgroup.js';
import { LB_INTERNAL_URL, type StackAdapter, type StackHandle } from './stack-common.js';
import { startContainerSampler, type ContainerSampler } from './container-sampler.js';
import type { LoadDriver, LoadResult } from './load-driver.js';
import { loadRows, requestBody, requestPath } from './request-body.js';
import { removeProject, removeStaleSweeps } from './stale-cleanup.js';
import { warmUp } from './warmup.js';

export interface DockerTrialRunnerOptions {
  docker: Docker;
  stack: StackAdapter;
  load: LoadDriver;
  cgroups: CgroupReader;
  /** this sweep process's owner label value (createSweepOwner) */
  owner: string;
  cores: number;
}

const jsonl = (rows: readonly unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');

export function createDockerTrialRunner(options: DockerTrialRunnerOptions): TrialRunner {
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
        if (plan.trial.warmup.duration > 0) {
          hooks.phase('warmup', `${plan.trial.warmup.users} clients for ${plan.trial.warmup.duration} s`);
          const bodies = (await loadRows()).map((row) => requestBody(plan.target.protocol, row));
          const w = await warmUp({ url: `${handle.hostUrl}${requestPath(plan.target.protocol)}`, bodies, concurrency: plan.trial.warmup.users, durationS: plan.trial.warmup.duration, signal });
          notes.push(`warm-up: ${w.requests} requests, ${w.failed} failed (${Object.entries(w.statuses).map(([k, v]) => `${k}: ${v}`).join(', ')})`);
        }
        if (signal.aborted) throw abortedError(signal.reason);
        hooks.phase('load', `${spec.ladder[0]} to ${spec.ladder[spec.ladder.length - 1]} users`);
        load = await options.load.run(
          { plan, ladder: spec.ladder, url: LB_INTERNAL_URL, network: handle.network, owner: options.owner, outDir: path.join(dir, 'load'), runId: project },
          { signal, onProgress: (p) => hooks.load(p), onLog: (m) => hooks.warn(`#${spec.index}: ${m}`) },
        );
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

      const ladder = loadSteps(plan.load.users);
      let outcome: TrialOutcome;
      if (load) {
        outcome = evaluateTrial({ summary: load.summary, samples, host, objective: plan.objective, ladder, trialLadder: spec.ladder });
      } else {
        const events = [...containerEvents(samples, 'api'), ...startupEvents];
        const message = failure instanceof Error ? failure.message.split('\n').slice(0, 4).join(' ') : String(failure);
        const reasons: Reason[] = events.map((e) => ({ kind: e.kind === 'oom' ? 'oom' : 'restart', detail: `${e.detail} before the load started` }));
        if (reasons.length === 0) reasons.push({ kind: 'infrastructure', detail: message });
        else notes.push(message);
        outcome = outcomeWithoutLoad({ ladder, firstUsers: spec.ladder[0] as number, reasons, events });
      }
      const loadStart = load ? Date.parse(load.summary.started_at) : started.getTime();
      const loadEnd = load ? Date.parse(load.summary.finished_at) : Date.now();
      const finished = new Date();
      return {
        schema: TRIAL_SCHEMA_ID,
        run_id: spec.run_id,
        index: spec.index,
        attempt: spec.attempt,
        config: spec.config,
        start_users: spec.ladder[0] as number,
        known_held_users: spec.known_held_users,
        started_at: started.toISOString(),
        finished_at: finished.toISOString(),
        duration_s: (finished.getTime() - started.getTime()) / 1000,
        outcome,
        usage: Object.fromEntries(['api', 'lb'].map((svc) => [svc, serviceUsage(samples, svc, { from: loadStart, to: loadEnd })])),
        load: {
          engine: load?.summary.engine ?? plan.load.engine,
          engine_version: load?.summary.engine_version ?? 'unknown',
          target_url: load?.summary.target_url ?? `${LB_INTERNAL_URL}${requestPath(plan.target.protocol)}`,
          summary_file: load ? path.relative(spec.dir, load.summaryFile) : null,
        },
        samples_file: path.join(rel, 'samples.jsonl'),
        notes,
      };
    },
  };
}
