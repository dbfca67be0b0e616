/**
 * What the page shows, as data (pure): built from the sweep engine's events and the ad-hoc
 * load's progress, bounded in size, sent whole to a page when it (re)connects and piece by
 * piece afterwards. The derivations (a finished trial's row, the pass/fail map from a summary,
 * the report's links) live here once; the page only draws them.
 */
import type { TrialConfig } from '../core/config-space.js';
import type { SweepEvents, TrialPhase } from '../engine/events.js';
import type { SweepPlan } from '../plan/plan-schema.js';
import type { TrialRecord } from '../results/trial-record.js';
import type { Summary } from '../summary/summary-schema.js';
import type { LocustState } from './schemas.js';

export interface LoadPoint {
  t: number;
  /** seconds on the load's own clock (since its time zero) */
  elapsed_s: number;
  users: number;
  step_users: number | null;
  rps: number;
  error_rate: number;
  p95_ms: number | null;
  generator: { cpu_pct: number | null; mem_mib: number | null; dropped: number | null } | null;
}
export type SamplePoint = Omit<SweepEvents['trial:sample'], 'index'>;

export interface TrialDone {
  index: number;
  attempt: number;
  config: TrialConfig;
  end: 'target' | 'objective' | 'invalid';
  held_users: number;
  failed_users: number | null;
  reasons: string;
  machine_bound: boolean;
  duration_s: number;
  steps: { users: number; requests: number; p50_ms: number; p95_ms: number; p99_ms: number; rps: number; error_rate: number; pass: boolean; valid: boolean }[];
}

export interface MapCell {
  config: TrialConfig;
  status: 'pass' | 'fail' | 'unknown';
  measured: boolean;
  held_users: number;
  trial_index: number | null;
}
export interface MapView {
  replicas: number[];
  cpus: number[];
  memory: number[];
  target_users: number;
  cells: MapCell[];
  best: TrialConfig | null;
}

export interface CurrentTrial {
  index: number;
  attempt: number;
  config: TrialConfig;
  start_users: number;
  known_held_users: number;
  phase: TrialPhase | 'starting';
  detail: string;
  started_at: number;
  load: LoadPoint[];
  samples: SamplePoint[];
}

export interface SweepView {
  run_id: string;
  dir: string;
  phase: 'running' | 'stopping' | 'done' | 'stopped' | 'failed';
  started_at: number;
  finished_at: number | null;
  error: string | null;
  plan: SweepPlan | null;
  grid_size: number | null;
  progress: SweepEvents['sweep:start']['progress'] | null;
  current: CurrentTrial | null;
  /** the trial that ended last, kept so its charts stay on the page between trials */
  last: CurrentTrial | null;
  trials: TrialDone[];
  map: MapView | null;
  minimum: string | null;
  report: { html: string; md: string; summary: string } | null;
  /** the objective's p95, for the chart's reference line */
  p95_objective_ms: number | null;
}

/** an ad-hoc load (POST /swarm) as the page sees it */
export interface AdhocLoadView {
  run_id: string;
  host: string;
  user_count: number;
  spawn_rate: number;
  run_time: number;
  started_at: number;
  finished_at: number | null;
  error: string | null;
  stopping: boolean;
  load: LoadPoint[];
  steps: TrialDone['steps'];
}

export interface Snapshot {
  state: LocustState;
  /** 'swarm' and `swarm` are the ad-hoc load, named after Locust's POST /swarm (the page reads these names) */
  mode: 'idle' | 'sweep' | 'swarm';
  sweep: SweepView | null;
  swarm: AdhocLoadView | null;
  warnings: string[];
}

/** bounds: an hour of load points, ten minutes of container samples for a few containers */
const MAX_LOAD_POINTS = 3600;
const MAX_SAMPLES = 4000;
const MAX_WARNINGS = 30;

const push = <T>(list: T[], item: T, max: number) => {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
};

export function trialDone(record: TrialRecord): TrialDone {
  const o = record.outcome;
  return {
    index: record.index,
    attempt: record.attempt,
    config: record.config,
    end: o.end,
    held_users: Math.max(o.held_users, record.known_held_users),
    failed_users: o.failed_step?.users ?? null,
    reasons: o.failed_step?.reasons.map((r) => r.detail).join('; ') ?? '',
    machine_bound: o.failed_step?.machine_bound ?? false,
    duration_s: record.duration_s,
    steps: o.steps.map((s) => ({ users: s.users, requests: s.requests, p50_ms: s.latency_ms.p50, p95_ms: s.latency_ms.p95, p99_ms: s.latency_ms.p99, rps: s.rps, error_rate: s.error_rate, pass: s.pass, valid: s.valid })),
  };
}

export function emptyMap(plan: SweepPlan): MapView {
  const cells: MapCell[] = [];
  for (const replicas of plan.candidates.replicas)
    for (const cpus of plan.candidates.cpus)
      for (const memory_mib of plan.candidates.memory) cells.push({ config: { replicas, cpus, memory_mib }, status: 'unknown', measured: false, held_users: 0, trial_index: null });
  return { replicas: [...plan.candidates.replicas], cpus: [...plan.candidates.cpus], memory: [...plan.candidates.memory], target_users: plan.load.users.to, cells, best: null };
}

export function mapFromSummary(summary: Summary): MapView {
  const base = emptyMap(summary.plan);
  return {
    ...base,
    target_users: summary.target_users,
    cells: summary.configs.map((e) => ({ config: e.config, status: e.status, measured: e.measured, held_users: e.held_users, trial_index: e.trial_index })),
    best: summary.overall?.config ?? null,
  };
}

export function reportLinks(runId: string): SweepView['report'] {
  const base = `/runs/${encodeURIComponent(runId)}`;
  return { html: `${base}/report.html`, md: `${base}/report.md`, summary: `${base}/summary.json` };
}

export function createLiveView(options: { now?: () => number } = {}) {
  const now = options.now ?? Date.now;
  const view: Snapshot = { state: 'ready', mode: 'idle', sweep: null, swarm: null, warnings: [] };
  const current = () => view.sweep?.current ?? null;

  return {
    snapshot: (): Snapshot => view,
    sweepStarted(run: { run_id: string; dir: string }) {
      view.mode = 'sweep';
      view.state = 'spawning';
      view.sweep = { run_id: run.run_id, dir: run.dir, phase: 'running', started_at: now(), finished_at: null, error: null, plan: null, grid_size: null, progress: null, current: null, last: null, trials: [], map: null, minimum: null, report: null, p95_objective_ms: null };
    },
    sweepStopping() {
      if (view.sweep?.phase === 'running') view.sweep.phase = 'stopping';
      if (view.mode === 'sweep') view.state = 'stopping';
    },
    sweepFinished(result: { stopped: boolean; error: string | null }) {
      if (!view.sweep) return;
      view.sweep.phase = result.error ? 'failed' : result.stopped ? 'stopped' : 'done';
      view.sweep.error = result.error;
      view.sweep.finished_at = now();
      view.sweep.last = view.sweep.current ?? view.sweep.last;
      view.sweep.current = null;
      view.state = 'stopped';
    },
    /** one engine event; returns a derived event for the page when there is one */
    apply<K extends keyof SweepEvents>(name: K, payload: SweepEvents[K]): { name: string; data: unknown } | null {
      const sweep = view.sweep;
      if (name === 'warning') {
        push(view.warnings, (payload as SweepEvents['warning']).message, MAX_WARNINGS);
        return null;
      }
      if (!sweep) return null;
      switch (name) {
        case 'sweep:start': {
          const e = payload as SweepEvents['sweep:start'];
          Object.assign(sweep, { plan: e.plan, grid_size: e.grid_size, progress: e.progress, p95_objective_ms: e.plan.objective.p95_ms });
          sweep.map ??= emptyMap(e.plan);
          return { name: 'view:map', data: sweep.map };
        }
        case 'trial:start': {
          const e = payload as SweepEvents['trial:start'];
          sweep.current = { index: e.index, attempt: e.attempt, config: e.config, start_users: e.start_users, known_held_users: e.known_held_users, phase: 'starting', detail: '', started_at: now(), load: [], samples: [] };
          sweep.progress = e.progress;
          view.state = 'spawning';
          return null;
        }
        case 'trial:phase': {
          const e = payload as SweepEvents['trial:phase'];
          const c = current();
          if (c?.index === e.index) Object.assign(c, { phase: e.phase, detail: e.detail });
          if (sweep.phase === 'running') view.state = e.phase === 'load' ? 'running' : 'spawning';
          return null;
        }
        case 'trial:load': {
          const e = payload as SweepEvents['trial:load'];
          const c = current();
          if (c?.index === e.index) push(c.load, { t: now(), elapsed_s: e.elapsed_s, users: e.users, step_users: e.step_users, rps: e.rps, error_rate: e.error_rate, p95_ms: e.p95_ms, generator: e.generator ?? null }, MAX_LOAD_POINTS);
          return null;
        }
        case 'trial:sample': {
          const { index, ...sample } = payload as SweepEvents['trial:sample'];
          const c = current();
          if (c?.index === index) push(c.samples, sample, MAX_SAMPLES);
          return null;
        }
        case 'trial:end':
        case 'trial:replayed': {
          const e = payload as SweepEvents['trial:end'];
          const row = trialDone(e.record);
          sweep.trials.push(row);
          if (name === 'trial:end') {
            sweep.progress = e.progress;
            sweep.last = sweep.current ?? sweep.last;
            sweep.current = null;
            if (sweep.phase === 'running') view.state = 'spawning';
          }
          return { name: 'view:trial', data: row };
        }
        case 'summary:written': {
          const e = payload as SweepEvents['summary:written'];
          sweep.map = mapFromSummary(e.summary);
          sweep.minimum = e.summary.findings.minimum;
          sweep.report = reportLinks(sweep.run_id);
          return { name: 'view:map', data: { map: sweep.map, minimum: sweep.minimum, report: sweep.report } };
        }
        case 'sweep:end': {
          const e = payload as SweepEvents['sweep:end'];
          sweep.minimum = e.summary.findings.minimum;
          return null;
        }
        default:
          return null;
      }
    },
    adhocLoadStarted(s: Omit<AdhocLoadView, 'started_at' | 'finished_at' | 'error' | 'stopping' | 'load' | 'steps'>) {
      view.mode = 'swarm';
      view.state = 'spawning';
      view.swarm = { ...s, started_at: now(), finished_at: null, error: null, stopping: false, load: [], steps: [] };
    },
    adhocLoadProgress(point: LoadPoint, spawning: boolean) {
      if (!view.swarm) return;
      push(view.swarm.load, point, MAX_LOAD_POINTS);
      if (!view.swarm.stopping) view.state = spawning ? 'spawning' : 'running';
    },
    adhocLoadStopping() {
      if (!view.swarm) return;
      view.swarm.stopping = true;
      view.state = 'stopping';
    },
    adhocLoadFinished(result: { steps: TrialDone['steps']; error: string | null }) {
      if (!view.swarm) return;
      Object.assign(view.swarm, { steps: result.steps, error: result.error, finished_at: now() });
      view.state = 'stopped';
    },
    warn(message: string) {
      push(view.warnings, message, MAX_WARNINGS);
    },
  };
}
export type LiveView = ReturnType<typeof createLiveView>;
