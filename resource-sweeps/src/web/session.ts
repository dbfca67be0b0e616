/**
 * One server's live state: the page's view, the live statistics, the event hub, the sweep and
 * ad-hoc load controls, and a one-second tick that sends the statistics to every page and
 * reads the balancer while load runs. The HTTP routes are thin shells over this.
 */
import { SweepError } from '../errors.js';
import { createAdhocLoadControl } from './adhoc-load.js';
import type { BalancerView } from './balancer.js';
import { createEventHub } from './event-hub.js';
import { createLiveStats } from './live-stats.js';
import { createLiveView } from './live-view.js';
import { buildStatsRequests, type RunInfo } from './locust-stats.js';
import type { SweepStatus } from './schemas.js';
import { createSweepControl } from './sweep-control.js';
import type { WebOptions } from './web-options.js';
import type { WebPorts } from './web-ports.js';

export interface SessionOptions extends WebPorts {
  options: WebOptions;
  now?: () => number;
  log?: (message: string) => void;
  tickMs?: number;
}

export function createSession(opts: SessionOptions) {
  const now = opts.now ?? Date.now;
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const view = createLiveView({ now });
  const stats = createLiveStats();
  const hub = createEventHub();
  let run: RunInfo | null = null;
  let lastBalancer: BalancerView | null = null;
  const beginRun = (r: RunInfo) => {
    run = r;
    stats.beginRun(r.started_at_ms);
  };

  // each control asks the other whether it runs: one load on the machine at a time
  const adhocLoadRef: { running(): boolean } = { running: () => false };
  const sweep = createSweepControl({ factory: opts.factory, requestPath: opts.load.requestPath, view, stats, hub, now, beginRun, log, setOwner: (o) => opts.balancer.setOwner(o), isAdhocLoadRunning: () => adhocLoadRef.running() });
  const adhocLoad = createAdhocLoadControl({ load: opts.load, options: opts.options, view, stats, hub, now, beginRun, log, isSweepRunning: () => sweep.running() });
  adhocLoadRef.running = adhocLoad.running;

  const statsRequests = () => buildStatsRequests({ view: view.snapshot(), stats, run, nowMs: now() });

  let reading = false;
  const tick = async () => {
    hub.broadcast('stats', statsRequests());
    const s = view.snapshot();
    const loadOn = (s.mode === 'sweep' && s.sweep?.current && ['healthy', 'warmup', 'load'].includes(s.sweep.current.phase)) || (s.mode === 'swarm' && s.swarm?.finished_at === null);
    if (!loadOn || reading) return;
    reading = true;
    try {
      const b = await opts.balancer.read();
      if (b) {
        lastBalancer = b;
        if (b.backend?.response_time_ms !== null && b.backend?.response_time_ms !== undefined) stats.recordBalancer({ at_ms: now(), response_time_ms: b.backend.response_time_ms });
        hub.broadcast('balancer', b);
      }
    } finally {
      reading = false;
    }
  };
  const timer = setInterval(() => void tick().catch((e: Error) => log(`live tick: ${e.message}`)), opts.tickMs ?? 1000);
  timer.unref();

  function status(): SweepStatus {
    const s = view.snapshot();
    const w = s.sweep;
    const last = w?.current?.load[w.current.load.length - 1];
    return {
      state: s.state,
      mode: s.mode,
      sweep: w
        ? {
            run_id: w.run_id,
            dir: w.dir,
            phase: w.phase,
            started_at: new Date(w.started_at).toISOString(),
            finished_at: w.finished_at === null ? null : new Date(w.finished_at).toISOString(),
            error: w.error,
            trials_done: w.trials.length,
            trials_left: w.progress?.trials_left ?? null,
            eta_s: w.progress?.eta_s ?? null,
            current: w.current ? { index: w.current.index, attempt: w.current.attempt, config: w.current.config, phase: w.current.phase, users: last?.users ?? null } : null,
            minimum: w.minimum,
            report: w.report,
          }
        : null,
    };
  }

  return {
    view,
    stats,
    hub,
    sweep,
    adhocLoad,
    status,
    statsRequests,
    /** the balancer's backends now (read on demand when no load runs) */
    async balancer(): Promise<BalancerView> {
      const fresh = await opts.balancer.read();
      if (fresh) {
        lastBalancer = fresh;
        return fresh;
      }
      throw new SweepError('SWEEP_ERR_NO_BALANCER', `no HAProxy stats answer (tried ${opts.balancer.describe()})`, {
        hint: 'backends are shown while a sweep trial is up, or for a stack started with `docker-compose -f compose/docker-compose.yml up` (stats on 127.0.0.1:8404); --stats-url points elsewhere on loopback',
      });
    },
    lastBalancer: () => lastBalancer,
    /** stops whatever runs and waits for its clean-up (the server is closing) */
    async close(): Promise<void> {
      clearInterval(timer);
      if (sweep.running()) sweep.stop();
      if (adhocLoad.running()) adhocLoad.stop();
      await Promise.all([sweep.settled(), adhocLoad.settled()]);
      hub.close();
    },
  };
}
export type Session = ReturnType<typeof createSession>;
