/**
 * An ad-hoc load, like Locust's POST /swarm and GET /stop: `user_count` users started at
 * `spawn_rate` per second against `host`, through the load port (the project's load runner:
 * k6, closed model, the workshop's think time). Bounded: it lasts `run_time` (default and
 * maximum from the server's options) and the runner's own hard deadline backs that up. The
 * target guard is the load runner's: loopback only here (service names need a network the run
 * created); anything else is a 400 naming `host`. "Swarming started" is answered only once the
 * engine is up, so a missing k6 or a refused target is the response, not a line in a log.
 */
import { isSweepError, SweepError } from '../errors.js';
import type { EventHub } from './event-hub.js';
import { RequestError } from './http-errors.js';
import type { LiveStats, StepLatency } from './live-stats.js';
import type { LiveView, TrialDone } from './live-view.js';
import type { RunInfo } from './locust-stats.js';
import type { AdhocLoadBody } from './schemas.js';
import type { AdhocLoadStep, LoadPort } from './web-ports.js';
import type { WebOptions } from './web-options.js';

export interface AdhocLoadControlDeps {
  load: LoadPort;
  options: WebOptions;
  view: LiveView;
  stats: LiveStats;
  hub: EventHub;
  now: () => number;
  beginRun(run: RunInfo): void;
  isSweepRunning(): boolean;
  log(message: string): void;
}

const PATH = '/predict';

/** What the port refused becomes the response: a refused target names `host`; anything unnamed did not start. */
function startError(error: unknown): SweepError {
  if (isSweepError(error)) return error.code === 'SWEEP_ERR_TARGET_REFUSED' ? new RequestError(error, ['host']) : error;
  return new SweepError('SWEEP_ERR_LOAD', `the load did not start: ${error instanceof Error ? error.message : String(error)}`);
}

/** The finished steps as the page's rows and as the live statistics' latency steps. */
function stepsOf(steps: readonly AdhocLoadStep[]): { rows: TrialDone['steps']; latency: StepLatency[] } {
  return {
    rows: steps.map((s) => ({ users: s.users, requests: s.requests, p50_ms: s.p50_ms, p95_ms: s.p95_ms, p99_ms: s.p99_ms, rps: s.rps, error_rate: s.error_rate, pass: true, valid: s.valid })),
    latency: steps.map((s) => ({ start_ms: s.start_ms, end_ms: s.end_ms, users: s.users, requests: s.requests, failures: s.failures, p50_ms: s.p50_ms, p95_ms: s.p95_ms, p99_ms: s.p99_ms, max_ms: s.max_ms, source: 'swarm' })),
  };
}

export function createAdhocLoadControl(deps: AdhocLoadControlDeps) {
  let active: { abort: AbortController; done: Promise<void>; runId: string } | null = null;
  const running = () => active !== null;

  return {
    running,
    async start(body: AdhocLoadBody) {
      if (deps.isSweepRunning()) throw new SweepError('SWEEP_ERR_BUSY', 'a sweep is running: an ad-hoc load would distort its measurements', { hint: 'POST /api/sweep/stop first' });
      if (active) throw new SweepError('SWEEP_ERR_BUSY', `ad-hoc load ${active.runId} is running`, { hint: 'GET /stop first (a new user count starts a new load)' });
      const host = body.host ? body.host.replace(/\/+$/, '') : deps.options.defaultTarget;
      // the load runner's own guard, before anything starts (the runner checks again)
      await deps.load.checkTarget(host).catch((error: unknown) => {
        throw startError(error);
      });
      const runTime = body.run_time ?? deps.options.adhocLoad.defaultRunTimeS;
      const rampS = body.user_count / body.spawn_rate;
      if (rampS >= runTime) {
        throw new RequestError(new SweepError('SWEEP_ERR_BAD_REQUEST', `starting ${body.user_count} users at ${body.spawn_rate}/s takes ${rampS.toFixed(1)} s, not less than run_time ${runTime} s`, { hint: 'raise spawn_rate or run_time' }), ['spawn_rate', 'run_time']);
      }
      const runId = `swarm-${new Date(deps.now()).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-${Math.random().toString(36).slice(2, 6)}`;
      const abort = new AbortController();
      let lastElapsed: number | null = null;
      let started!: () => void;
      const launched = new Promise<void>((resolve) => (started = resolve));
      const load = deps.load.run(
        { target: host, path: PATH, users: body.user_count, rampS, holdS: runTime - rampS, runId },
        {
          signal: abort.signal,
          onEvent: (e) => {
            if (e.type === 'start') started();
            else if (e.type === 'progress') {
              const dt = lastElapsed === null ? 1 : e.elapsed_s - lastElapsed;
              lastElapsed = e.elapsed_s;
              const at = deps.now();
              deps.stats.recordRates({ at_ms: at, dt_s: dt > 0 ? dt : 1, rps: e.rps, failed_per_s: e.failed_per_s, users: e.users, step_p95_ms: e.p95_ms });
              const point = { t: at, elapsed_s: e.elapsed_s, users: e.users, step_users: body.user_count, rps: e.rps, error_rate: e.rps > 0 ? Math.min(1, e.failed_per_s / e.rps) : 0, p95_ms: e.p95_ms, generator: e.generator };
              deps.view.adhocLoadProgress(point, e.elapsed_s < rampS);
              // 'swarm:load' is the event name the page listens for
              deps.hub.broadcast('swarm:load', point);
            } else deps.view.warn(`swarm: ${e.message}`);
          },
        },
      );
      // taken now, so a second request while this one waits for the engine is refused
      const slot = { abort, done: Promise.resolve(), runId };
      active = slot;
      // the request waits until the engine is up (or refused): errors become the response
      const outcome = await Promise.race([launched.then(() => null), load.then(() => null, (error: unknown) => error)]);
      if (outcome !== null) {
        active = null;
        throw startError(outcome);
      }

      deps.beginRun({ kind: 'swarm', id: runId, started_at_ms: deps.now(), label: `${body.user_count} users at ${body.spawn_rate}/s on ${host}`, method: 'POST', name: PATH });
      deps.view.adhocLoadStarted({ run_id: runId, host, user_count: body.user_count, spawn_rate: body.spawn_rate, run_time: runTime });
      deps.hub.broadcast('view:state', deps.view.snapshot());
      const done = load
        .then(
          (steps) => {
            const { rows, latency } = stepsOf(steps);
            deps.stats.recordSteps(latency);
            deps.view.adhocLoadFinished({ steps: rows, error: null });
          },
          (error: unknown) => {
            const message = error instanceof Error ? error.message : String(error);
            deps.log(`ad-hoc load ${runId} failed: ${message}`);
            deps.view.adhocLoadFinished({ steps: [], error: message });
          },
        )
        .finally(() => {
          active = null;
          deps.hub.broadcast('view:state', deps.view.snapshot());
        });
      slot.done = done;
      return { success: true as const, message: 'Swarming started', host, user_count: body.user_count, spawn_rate: body.spawn_rate, run_time: runTime, run_id: runId };
    },
    stop(): void {
      if (!active) throw new SweepError('SWEEP_ERR_NOT_RUNNING', 'no ad-hoc load is running');
      deps.view.adhocLoadStopping();
      deps.hub.broadcast('view:state', deps.view.snapshot());
      active.abort.abort(new Error('stop requested over HTTP'));
    },
    async settled(): Promise<void> {
      await active?.done;
    },
  };
}
export type AdhocLoadControl = ReturnType<typeof createAdhocLoadControl>;
