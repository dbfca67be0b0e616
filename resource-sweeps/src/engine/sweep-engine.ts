/**
 * The sweep engine: a library, driven by a plan, a run folder, a trial runner and an
 * AbortSignal, reporting through typed events. It runs the search, turns each search probe
 * into a trial (or, on --resume, into the record already in results.jsonl), appends every
 * finished trial durably, and re-renders summary/reports after each trial so an interrupted
 * sweep leaves an up-to-date partial report. The CLI and a future HTTP API are thin shells.
 */
import { configKey, type TrialConfig } from '../core/config-space.js';
import { frontierSearch, gridSearch, estimateRemainingTrials, gridSize, type Oracle, type TrialAnswer } from '../core/frontier-search.js';
import { createKnowledge } from '../core/knowledge.js';
import { isSweepError, SweepError, throwIfAborted } from '../errors.js';
import { loadSteps } from '../plan/plan-schema.js';
import type { RunStore } from '../results/run-store.js';
import type { RunMeta, TrialRecord } from '../results/trial-record.js';
import { deriveSummary } from '../summary/derive-summary.js';
import type { Summary } from '../summary/summary-schema.js';
import { writeReports } from '../report/write-reports.js';
import { estimateEta } from './eta.js';
import { createSweepEmitter, type Progress, type SweepEmitter } from './events.js';
import type { TrialRunner } from './trial-runner.js';

export interface SweepOptions {
  store: RunStore;
  /** a new run writes this meta; a resumed run (meta omitted) reads run.json */
  meta?: RunMeta;
  runner: TrialRunner;
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

const answerOf = (r: TrialRecord): TrialAnswer => ({ config: r.config, held: r.outcome.held_users, upper: r.outcome.upper_users, valid: r.outcome.valid });
const replayKey = (config: TrialConfig, attempt: number) => `${configKey(config)}#${attempt}`;

export function createSweep(options: SweepOptions): Sweep {
  const events = createSweepEmitter();
  const now = options.now ?? (() => new Date());
  const signal = options.signal ?? new AbortController().signal;
  const { store, runner } = options;

  async function run(): Promise<SweepResult> {
    const resumed = options.meta === undefined;
    if (options.meta) await store.writeMeta(options.meta);
    else if (await store.repairTornTail()) events.emit('warning', { message: 'results.jsonl ended in a torn line (the sweep stopped while writing it); that trial runs again' });
    const meta = options.meta ?? (await store.readMeta());
    const { records: recorded, warnings } = await store.read();
    for (const message of warnings) events.emit('warning', { message });
    const plan = meta.plan;
    const ladder = loadSteps(plan.load.users);
    const records: TrialRecord[] = [...recorded];
    const replay = new Map(recorded.map((r) => [replayKey(r.config, r.attempt), r]));
    const mirror = createKnowledge({ monotoneInReplicas: plan.search.monotone_in_replicas });
    const durations: number[] = [];
    let nextIndex = recorded.reduce((max, r) => Math.max(max, r.index + 1), 0);
    let done = 0;
    let brokenStack = 0;

    const progress = (): Progress => {
      const trials_left =
        plan.search.strategy === 'grid'
          ? gridSize(plan.candidates) - mirror.measurements().length
          : estimateRemainingTrials(mirror, plan.candidates, ladder, plan.search.confirm_inferred);
      return { trials_done: done, trials_left, eta_s: estimateEta({ plan, durations, trialsLeft: trials_left }) };
    };
    const remember = (r: TrialRecord) => {
      mirror.record({ config: r.config, held: Math.max(r.outcome.held_users, r.known_held_users), upper: r.outcome.upper_users });
      done++;
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
        remember(old);
        events.emit('trial:replayed', { record: old });
        return answerOf(old);
      }
      throwIfAborted(signal);
      const index = nextIndex++;
      const start = ladder.find((u) => u >= request.startUsers) ?? (ladder[ladder.length - 1] as number);
      events.emit('trial:start', { index, attempt: request.attempt, config: request.config, start_users: start, known_held_users: request.knownHeld, progress: progress() });
      const record = await runner.run(
        { run_id: meta.run_id, dir: store.dir, index, attempt: request.attempt, config: request.config, plan, ladder: ladder.filter((u) => u >= start), known_held_users: request.knownHeld },
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
      remember(record);
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
    const stale = await runner.cleanupStale();
    if (stale) events.emit('warning', { message: stale });

    const search = plan.search.strategy === 'grid' ? gridSearch : frontierSearch;
    let stopped = false;
    try {
      try {
        await search({
          candidates: plan.candidates,
          ladder,
          order: { monotoneInReplicas: plan.search.monotone_in_replicas },
          startAboveHeld: plan.search.start_above_held,
          retries: plan.search.retries,
          confirmInferred: plan.search.confirm_inferred,
          oracle,
          signal,
        });
      } catch (error) {
        if (!(isSweepError(error) && error.code === 'SWEEP_ERR_ABORTED')) {
          await render(false).catch(() => undefined);
          throw error;
        }
        stopped = true;
      }
    } finally {
      // what the runner set up for all trials (Swarm mode it entered), undone however the search ended
      const closed = await runner.close?.().catch((e: Error) => `closing the trial runner: ${e.message.split('\n')[0]}`);
      if (closed) events.emit('warning', { message: closed });
    }
    if (replay.size > 0) events.emit('warning', { message: `${replay.size} recorded trial(s) were not asked for again (the plan or the search changed); they are kept and count in the summary` });
    const { summary, files } = await render(!stopped);
    events.emit('sweep:end', { summary, stopped, dir: store.dir });
    return { summary, stopped, dir: store.dir, files };
  }

  return { events, run };
}

