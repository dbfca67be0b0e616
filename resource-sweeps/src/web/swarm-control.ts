/**
 * An ad-hoc load, like Locust's POST /swarm and GET /stop: `user_count` users started at
 * `spawn_rate` per second against `host`, through the project's load runner (k6, closed model,
 * the workshop's think time). Bounded: it lasts `run_time` (default and maximum from the
 * server's options) and the runner's own hard deadline backs that up. The target guard is the
 * load runner's: loopback only here (service names need a network the run created); anything
 * else is a 400 naming `host`. "Swarming started" is answered only once the engine is up, so
 * a missing k6 or a refused target is the response, not a line in a log.
 */
import type { RunLoadHooks, LoadRunResult } from '@rightsize/loadtest/runner';
import type { LoadOptionsInput } from '@rightsize/loadtest/options';
import type { LoadSummary } from '@rightsize/loadtest/summary-schema';
import { verifyTarget } from '@rightsize/loadtest/target-guard';
import { OWNER_LABEL } from '@rightsize/compose/docker';
import { SweepError } from '../errors.js';
import type { EventHub } from './event-hub.js';
import { RequestError } from './http-errors.js';
import type { LiveStats } from './live-stats.js';
import type { LiveView, TrialDone } from './live-view.js';
import type { RunInfo } from './locust-stats.js';
import type { SwarmBody } from './schemas.js';
import type { WebOptions } from './web-options.js';

export type RunLoadFn = (input: LoadOptionsInput, hooks: RunLoadHooks) => Promise<LoadRunResult>;

export interface SwarmControlDeps {
  runLoad: RunLoadFn;
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

function loadErrorToSweep(error: unknown): SweepError {
  const e = error as { code?: string; message?: string };
  const message = e.message ?? String(error);
  switch (e.code) {
    case 'LOAD_ERR_TARGET_REFUSED':
      return new RequestError(new SweepError('SWEEP_ERR_TARGET_REFUSED', message, { hint: 'pass host=http://127.0.0.1:<port> (a loopback address)' }), ['host']);
    case 'LOAD_ERR_BAD_OPTION':
      return new SweepError('SWEEP_ERR_BAD_REQUEST', message);
    case 'LOAD_ERR_ENGINE_MISSING':
      return new SweepError('SWEEP_ERR_LOAD', message, { hint: 'build grafana/k6:1.8.1 with `npm run images -- --offline`, or install k6 (go install go.k6.io/k6@v1.8.1)' });
    default:
      return new SweepError('SWEEP_ERR_LOAD', `the load did not start: ${message}`);
  }
}

export function stepsOf(summary: LoadSummary): { rows: TrialDone['steps']; latency: Parameters<LiveStats['recordSteps']>[0] } {
  const t0 = Date.parse(summary.started_at);
  // a step cut short (stopped) ends when the run did, not when its plan said
  const finished = Date.parse(summary.finished_at);
  const counted = summary.steps.filter((s) => s.requests > 0);
  return {
    rows: counted.map((s) => ({ users: s.target.value, requests: s.requests, p50_ms: s.latency_ms.p50, p95_ms: s.latency_ms.p95, p99_ms: s.latency_ms.p99, rps: s.rps, error_rate: s.errors.rate, pass: true, valid: s.generator.valid })),
    latency: counted.map((s) => ({
      start_ms: t0 + s.ramp_start_s * 1000,
      end_ms: Math.min(t0 + s.end_s * 1000, finished),
      users: s.target.value,
      requests: s.requests,
      failures: s.errors.total,
      p50_ms: s.latency_ms.p50,
      p95_ms: s.latency_ms.p95,
      p99_ms: s.latency_ms.p99,
      max_ms: s.latency_ms.max,
      source: 'swarm',
    })),
  };
}

export function createSwarmControl(deps: SwarmControlDeps) {
  let active: { abort: AbortController; done: Promise<void>; runId: string } | null = null;
  const running = () => active !== null;

  return {
    running,
    async start(body: SwarmBody) {
      if (deps.isSweepRunning()) throw new SweepError('SWEEP_ERR_BUSY', 'a sweep is running: an ad-hoc load would distort its measurements', { hint: 'POST /api/sweep/stop first' });
      if (active) throw new SweepError('SWEEP_ERR_BUSY', `ad-hoc load ${active.runId} is running`, { hint: 'GET /stop first (a new user count starts a new load)' });
      const host = body.host ? body.host.replace(/\/+$/, '') : deps.options.defaultTarget;
      // the load runner's own guard, before anything starts (the runner checks again)
      await verifyTarget({ url: host, ownerLabel: OWNER_LABEL }).catch((error: unknown) => {
        throw loadErrorToSweep(error);
      });
      const runTime = body.run_time ?? deps.options.swarm.defaultRunTimeS;
      const rampS = body.user_count / body.spawn_rate;
      if (rampS >= runTime) {
        throw new RequestError(new SweepError('SWEEP_ERR_BAD_REQUEST', `starting ${body.user_count} users at ${body.spawn_rate}/s takes ${rampS.toFixed(1)} s, not less than run_time ${runTime} s`, { hint: 'raise spawn_rate or run_time' }), ['spawn_rate', 'run_time']);
      }
      const runId = `swarm-${new Date(deps.now()).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-${Math.random().toString(36).slice(2, 6)}`;
      const abort = new AbortController();
      let lastElapsed: number | null = null;
      let started!: () => void;
      const launched = new Promise<void>((resolve) => (started = resolve));
      const load = deps.runLoad(
        {
          engine: 'k6',
          scenario: 'steps',
          target: host,
          path: PATH,
          plan: { startUsers: body.user_count, maxUsers: body.user_count, stepUsers: body.user_count, rampS, holdS: runTime - rampS },
          // an ad-hoc load has no objective: it never aborts on latency or errors, only on time
          objective: { p95Ms: null, p99Ms: null, maxErrorRate: 1 },
          runId,
        },
        {
          signal: abort.signal,
          onEvent: (e) => {
            if (e.type === 'start') started();
            else if (e.type === 'progress' && e.elapsedS !== null && e.rps !== null) {
              const dt = lastElapsed === null ? 1 : e.elapsedS - lastElapsed;
              lastElapsed = e.elapsedS;
              const at = deps.now();
              const users = e.users ?? 0;
              deps.stats.recordRates({ at_ms: at, dt_s: dt > 0 ? dt : 1, rps: e.rps, failed_per_s: e.failedPerS ?? 0, users, step_p95_ms: e.p95Ms });
              const point = { t: at, elapsed_s: e.elapsedS, users, step_users: body.user_count, rps: e.rps, error_rate: e.rps > 0 ? Math.min(1, (e.failedPerS ?? 0) / e.rps) : 0, p95_ms: e.p95Ms, generator: { cpu_pct: e.generatorCpuPct, mem_mib: e.generatorMemMb, dropped: e.dropped } };
              deps.view.swarmProgress(point, e.elapsedS < rampS);
              deps.hub.broadcast('swarm:load', point);
            } else if (e.type === 'log' && e.level !== 'info') deps.view.warn(`swarm: ${e.message}`);
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
        throw loadErrorToSweep(outcome);
      }

      deps.beginRun({ kind: 'swarm', id: runId, started_at_ms: deps.now(), label: `${body.user_count} users at ${body.spawn_rate}/s on ${host}`, method: 'POST', name: PATH });
      deps.view.swarmStarted({ run_id: runId, host, user_count: body.user_count, spawn_rate: body.spawn_rate, run_time: runTime });
      deps.hub.broadcast('view:state', deps.view.snapshot());
      const done = load
        .then(
          (result) => {
            const { rows, latency } = stepsOf(result.summary);
            deps.stats.recordSteps(latency);
            deps.view.swarmFinished({ steps: rows, error: null });
          },
          (error: unknown) => {
            const message = error instanceof Error ? error.message : String(error);
            deps.log(`ad-hoc load ${runId} failed: ${message}`);
            deps.view.swarmFinished({ steps: [], error: message });
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
      deps.view.swarmStopping();
      deps.hub.broadcast('view:state', deps.view.snapshot());
      active.abort.abort(new Error('stop requested over HTTP'));
    },
    async settled(): Promise<void> {
      await active?.done;
    },
  };
}
export type SwarmControl = ReturnType<typeof createSwarmControl>;
