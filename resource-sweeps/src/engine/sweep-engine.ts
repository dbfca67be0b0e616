/**
 * The sweep engine: a library, driven by a plan, a run folder, a trial executor and an
 * AbortSignal, reporting through typed events. It runs the search, turns each search probe
 * into a trial (or, on --resume, into the record already in results.jsonl), appends every
 * finished trial durably, and re-renders summary/reports after each trial so an interrupted
 * sweep leaves an up-to-date partial report. The CLI and the HTTP API are thin shells, both assembled by
 * engine/sweep-factory.ts.
 */
import { configKey, type TrialConfig } from '../core/config-space.js';
import { gridSize, type Oracle } from '../core/frontier-search.js';
import { isSweepError, SweepError, throwIfAborted } from '../errors.js';
import { createLoadContract, type TrialStep } from '../plan/load-contract.js';
import type { RunStore } from '../results/run-store.js';
import { answerOf, knowledgeFromRecords } from '../results/run-knowledge.js';
import type { RunMeta, TrialRecord } from '../results/trial-record.js';
import { deriveSummary } from '../summary/derive-summary.js';
import type { Summary } from '../summary/summary-schema.js';
import { writeReports } from '../report/write-reports.js';
import { estimateEta } from './eta.js';
import { createSweepEmitter, type Progress, type SweepEmitter } from './events.js';
import { runSearch, trialsLeft } from './plan-search.js';
import type { TrialExecutor } from './trial-executor.js';

export interface SweepOptions {
  store: RunStore;
  /** a new run writes this meta; a resumed run (meta omitted) reads run.json */
  meta?: RunMeta;
  executor: TrialExecutor;
  signal?: AbortSignal;
  now?: () => Date;
}

export interface SweepResult {
  summary: Summary;
  stopped: boolean;
  dir: string;
  files: string[];
}

export interface Sweep {
  events: SweepEmitter;
  run(): Promise<SweepResult>;
}

/** consecutive trials whose stack never came up before the sweep gives up */
export const MAX_BROKEN_STACKS = 3;

const replayKey = (config: TrialConfig, attempt: number) => `${configKey(config)}#${attempt}`;

export function createSweep(options: SweepOptions): Sweep {
  const events = createSweepEmitter();
  const now = options.now ?? (() => new Date());
  const signal = options.signal ?? new AbortController().signal;
  const { store, executor } = options;

  async function run(): Promise<SweepResult> {
    const resumed = options.meta === undefined;
    if (options.meta) await store.writeMeta(options.meta);
    else if (await store.repairTornTail()) events.emit('warning', { message: 'results.jsonl ended in a torn line (the sweep stopped while writing it); that trial runs again' });
    const meta = options.meta ?? (await store.readMeta());
    const { records: recorded, warnings } = await store.read();
    for (const message of warnings) events.emit('warning', { message });
    const plan = meta.plan;
    // the stepped load, worked out once for the whole sweep and handed to every trial
    const load = createLoadContract(plan);
    const { ladder } = load;
    const records: TrialRecord[] = [...recorded];
    const replay = new Map(recorded.map((r) => [replayKey(r.config, r.attempt), r]));
    // the records the search has been answered with so far, replayed ones included
    const answered: TrialRecord[] = [];
    const durations: number[] = [];
    let nextIndex = recorded.reduce((max, r) => Math.max(max, r.index + 1), 0);
    let brokenStack = 0;

    const progress = (): Progress => {
      const trials_left = trialsLeft(plan, ladder, knowledgeFromRecords(plan, answered));
      return { trials_done: answered.length, trials_left, eta_s: estimateEta({ plan, ladder, durations, trialsLeft: trials_left }) };
    };
    const render = async (complete: boolean) => {
      const summary = deriveSummary({ meta, records, complete, now: now() });
      const files = await writeReports(store, summary);
      events.emit('summary:written', { summary, files });
      return { summary, files };
    };

    const oracle: Oracle = async (request) => {
      const key = replayKey(request.config, request.attempt);
      const old = replay.get(key);
      if (old) {
        replay.delete(key);
        answered.push(old);
        events.emit('trial:replayed', { record: old });
        return answerOf(old);
      }
      throwIfAborted(signal);
      const index = nextIndex++;
      const steps = load.trialSteps(request.startUsers);
      events.emit('trial:start', { index, attempt: request.attempt, config: request.config, start_users: (steps[0] as TrialStep).users, known_held_users: request.knownHeld, progress: progress() });
      const record = await executor.run(
        { run_id: meta.run_id, dir: store.dir, index, attempt: request.attempt, config: request.config, plan, load, steps, known_held_users: request.knownHeld, ...(request.confirmation ? { confirmation: true } : {}) },
        {
          phase: (phase, detail = '') => events.emit('trial:phase', { index, phase, detail }),
          load: (payload) => events.emit('trial:load', { index, ...payload }),
          sample: (payload) => events.emit('trial:sample', { index, ...payload }),
          warn: (message) => events.emit('warning', { message }),
        },
        signal,
      );
      await store.append(record);
      records.push(record);
      durations.push(record.duration_s);
      answered.push(record);
      events.emit('trial:end', { record, progress: progress() });
      await render(false);
      // the stack never reaching the load, trial after trial, is not about configurations: stop and say so
      const neverLoaded = record.outcome.steps.length === 0 && record.outcome.failed_step?.reasons.every((r) => r.kind === 'infrastructure');
      brokenStack = neverLoaded ? brokenStack + 1 : 0;
      if (brokenStack >= MAX_BROKEN_STACKS) {
        throw new SweepError('SWEEP_ERR_STACK_UP', `the stack failed to come up in ${brokenStack} trials in a row`, {
          details: [record.outcome.failed_step?.reasons[0]?.detail ?? ''],
          hint: `see ${store.dir}/trials/*/ for logs; finished trials are kept, fix the stack and --resume`,
        });
      }
      return answerOf(record);
    };

    events.emit('sweep:start', { run_id: meta.run_id, dir: store.dir, plan, resumed, recorded: recorded.length, grid_size: gridSize(plan.candidates), progress: progress() });
    const stale = await executor.cleanupStale();
    if (stale) events.emit('warning', { message: stale });

    let stopped = false;
    try {
      try {
        await runSearch({ plan, ladder, oracle, signal });
      } catch (error) {
        if (!(isSweepError(error) && error.code === 'SWEEP_ERR_ABORTED')) {
          await render(false).catch(() => undefined);
          throw error;
        }
        stopped = true;
      }
    } finally {
      // what the executor set up for all trials (Swarm mode it entered), undone however the search ended
      const closed = await executor.close?.().catch((e: Error) => `closing the trial executor: ${e.message.split('\n')[0]}`);
      if (closed) events.emit('warning', { message: closed });
    }
    if (replay.size > 0) events.emit('warning', { message: `${replay.size} recorded trial(s) were not asked for again (the plan or the search changed); they are kept and count in the summary` });
    const { summary, files } = await render(!stopped);
    events.emit('sweep:end', { summary, stopped, dir: store.dir });
    return { summary, stopped, dir: store.dir, files };
  }

  return { events, run };
}

