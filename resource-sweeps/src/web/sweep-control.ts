/**
 * Starting, stopping and resuming a sweep over HTTP, and following one the CLI started
 * (`--serve`). One sweep at a time. The engine's events go three ways: to every page (SSE,
 * as they are), into the page's view, and into the live statistics. Stopping aborts the
 * engine's signal: the current trial is torn down (the runner's `finally`), finished trials
 * stay in results.jsonl, and the run can be resumed.
 */
import type { SweepEventName, SweepEvents } from '../engine/events.js';
import type { PreparedSweep, SweepRequest } from '../engine/sweep-factory.js';
import { isSweepError, SweepError } from '../errors.js';
import type { EventHub } from './event-hub.js';
import type { LiveStats, StepLatency } from './live-stats.js';
import type { LiveView } from './live-view.js';
import type { RunInfo } from './locust-stats.js';
import type { LoadPort, SweepFactory } from './web-ports.js';

export interface SweepControlDeps {
  view: LiveView;
  stats: LiveStats;
  hub: EventHub;
  now: () => number;
  requestPath: LoadPort['requestPath'];
  /** the trial's balancer is looked for under this owner while the sweep runs */
  setOwner(owner: string | null): void;
  beginRun(run: RunInfo): void;
  log(message: string): void;
}

interface Active {
  prepared: PreparedSweep;
  abort: AbortController;
  done: Promise<void>;
  /** per trial: the wall clock of the load's time zero (from elapsed_s) and the last elapsed_s */
  clock: Map<number, { t0: number; lastElapsed: number }>;
}

export function createSweepControl(deps: SweepControlDeps & { factory: SweepFactory | null; isAdhocLoadRunning(): boolean }) {
  let active: Active | null = null;
  /** run folders this server has followed, by run id: their reports may be served */
  const runs = new Map<string, string>();

  function onEvent<K extends SweepEventName>(a: Active, name: K, payload: SweepEvents[K]) {
    deps.hub.broadcast(name, payload);
    const derived = deps.view.apply(name, payload);
    if (derived) deps.hub.broadcast(derived.name, derived.data);
    if (name === 'trial:load') {
      const e = payload as SweepEvents['trial:load'];
      const at = deps.now();
      const clock = a.clock.get(e.index);
      const dt = clock ? e.elapsed_s - clock.lastElapsed : 1;
      a.clock.set(e.index, { t0: clock?.t0 ?? at - e.elapsed_s * 1000, lastElapsed: e.elapsed_s });
      deps.stats.recordRates({ at_ms: at, dt_s: dt > 0 ? dt : 1, rps: e.rps, failed_per_s: e.rps * e.error_rate, users: e.users, step_p95_ms: e.p95_ms });
    } else if (name === 'trial:end') {
      const { record } = payload as SweepEvents['trial:end'];
      const t0 = a.clock.get(record.index)?.t0;
      if (t0 !== undefined) {
        const steps: StepLatency[] = record.outcome.steps.map((s) => ({
          start_ms: t0 + s.from_s * 1000,
          end_ms: Math.min(t0 + s.to_s * 1000, Date.parse(record.finished_at)),
          users: s.users,
          requests: s.requests,
          failures: Math.round(s.requests * s.error_rate),
          p50_ms: s.latency_ms.p50,
          p95_ms: s.latency_ms.p95,
          p99_ms: s.latency_ms.p99,
          max_ms: s.latency_ms.max,
          source: `trial #${record.index}`,
        }));
        deps.stats.recordSteps(steps);
      }
    }
  }

  function follow(prepared: PreparedSweep, abort: AbortController, run: () => Promise<{ stopped: boolean }>): Active {
    const a: Active = { prepared, abort, done: Promise.resolve(), clock: new Map() };
    runs.set(prepared.runId, prepared.dir);
    deps.view.sweepStarted({ run_id: prepared.runId, dir: prepared.dir });
    deps.beginRun({ kind: 'sweep', id: prepared.runId, started_at_ms: deps.now(), label: `sweep ${prepared.runId}`, method: 'POST', name: deps.requestPath(prepared.plan.target.protocol) });
    deps.setOwner(prepared.owner);
    const off = prepared.sweep.events.onAny((name, payload) => onEvent(a, name, payload));
    deps.hub.broadcast('view:state', deps.view.snapshot());
    a.done = run()
      .then(
        (r) => ({ stopped: r.stopped, error: null }),
        (error: unknown) => {
          const stopped = isSweepError(error) && error.code === 'SWEEP_ERR_ABORTED';
          const message = isSweepError(error) ? error.format() : error instanceof Error ? error.message : String(error);
          if (!stopped) deps.log(`sweep ${prepared.runId} failed: ${message}`);
          return { stopped, error: stopped ? null : message };
        },
      )
      .then(async (result) => {
        off();
        await prepared.dispose().catch((e: Error) => deps.log(`clean-up of ${prepared.runId}: ${e.message}`));
        deps.setOwner(null);
        deps.view.sweepFinished(result);
        deps.hub.broadcast('view:state', deps.view.snapshot());
      });
    return a;
  }

  const running = () => active !== null && deps.view.snapshot().sweep?.finished_at === null;

  return {
    running,
    async start(request: SweepRequest): Promise<void> {
      if (!deps.factory) throw new SweepError('SWEEP_ERR_BUSY', 'this server follows the sweep it was started with; start another with `npm run sweep -- serve`');
      if (running()) throw new SweepError('SWEEP_ERR_BUSY', `sweep ${active?.prepared.runId} is running`, { hint: 'POST /api/sweep/stop first, or wait for it to end' });
      if (deps.isAdhocLoadRunning()) throw new SweepError('SWEEP_ERR_BUSY', 'an ad-hoc load is running: it would distort the sweep', { hint: 'GET /stop first' });
      const abort = new AbortController();
      const prepared = await deps.factory(request, abort.signal);
      // checked again: a second request may have started a sweep while this one was being prepared
      if (running()) {
        await prepared.dispose().catch(() => undefined);
        throw new SweepError('SWEEP_ERR_BUSY', `sweep ${active?.prepared.runId} is running`);
      }
      active = follow(prepared, abort, () => prepared.sweep.run());
    },
    /** the CLI's `--serve`: follow a sweep the CLI runs; stopping aborts the CLI's controller */
    attach(prepared: PreparedSweep, abort: AbortController, result: Promise<{ stopped: boolean }>): void {
      active = follow(prepared, abort, () => result);
    },
    stop(): void {
      if (!running() || !active) throw new SweepError('SWEEP_ERR_NOT_RUNNING', 'no sweep is running', { hint: 'GET /api/sweep shows the last one; resume it with POST /api/sweep/resume' });
      if (!active.abort.signal.aborted) {
        deps.view.sweepStopping();
        deps.hub.broadcast('view:state', deps.view.snapshot());
        active.abort.abort(new Error('stop requested over HTTP'));
      }
    },
    /** resolves when the current sweep (if any) has ended and been cleaned up */
    async settled(): Promise<void> {
      await active?.done;
    },
    runId: () => active?.prepared.runId ?? null,
    /** the owner label value of the current sweep's Docker objects */
    owner: () => active?.prepared.owner ?? null,
    dirOf: (runId: string) => runs.get(runId) ?? null,
  };
}
export type SweepControl = ReturnType<typeof createSweepControl>;
