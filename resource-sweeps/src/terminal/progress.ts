/**
 * Terminal progress: one consumer of the sweep's events. Finished things (trial started,
 * trial result, warnings) are printed as lines; the live state (current trial, step, users,
 * req/s, p95, errors, trials done and left, ETA) is one status line redrawn in place on a
 * terminal, or printed every `plainEveryS` seconds when output goes to a file or CI log.
 */
import { describeConfig } from '../core/config-space.js';
import type { SweepEmitter, SweepEvents } from '../engine/events.js';
import { formatDuration } from '../plan/units.js';
import { users } from '../summary/findings.js';

export interface ProgressState {
  trial: SweepEvents['trial:start'] | null;
  phase: string;
  load: SweepEvents['trial:load'] | null;
  done: number;
  left: number;
  eta_s: number | null;
  trial_started_ms: number;
}

export function formatStatus(state: ProgressState, nowMs: number): string {
  const head = `[${state.done} done, ~${state.left} left${state.eta_s === null ? '' : `, ETA ${formatDuration(state.eta_s)}`}]`;
  if (!state.trial) return `${head} ${state.phase}`;
  const t = `#${state.trial.index} ${describeConfig(state.trial.config)}`;
  const elapsed = formatDuration((nowMs - state.trial_started_ms) / 1000);
  const l = state.load;
  if (state.phase !== 'load' || !l) return `${head} ${t} ${state.phase} ${elapsed}`;
  const p95 = l.p95_ms === null ? 'p95 -' : `p95 ${Math.round(l.p95_ms)} ms`;
  return `${head} ${t} step ${l.step_users === null ? '-' : `${users(l.step_users)} users`} (${users(l.users)} VUs) ${Math.round(l.rps)} req/s ${p95} err ${(l.error_rate * 100).toFixed(2)} % ${elapsed}`;
}

export function formatTrialEnd(e: SweepEvents['trial:end']): string {
  const r = e.record;
  const o = r.outcome;
  const what = `#${r.index} ${describeConfig(r.config)}${r.attempt > 1 ? ` (try ${r.attempt})` : ''}`;
  const took = formatDuration(r.duration_s);
  if (o.end === 'target') return `  PASS ${what}: held ${users(o.held_users)} users (the target) in ${took}`;
  const why = o.failed_step?.reasons.map((x) => x.detail).join('; ') ?? '';
  const held = Math.max(o.held_users, r.known_held_users);
  if (o.end === 'invalid') return `  INVALID ${what}: held ${users(held)}, then ${why} in ${took} (not counted against the API)`;
  return `  FAIL ${what}: held ${users(held)}, failed at ${users(o.failed_step?.users ?? 0)}: ${why}${o.failed_step?.machine_bound ? ' [machine-bound]' : ''} in ${took}`;
}

export interface TerminalProgressOptions {
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** redraw a status line in place (a terminal) */
  live: boolean;
  plainEveryS?: number;
  now?: () => number;
}

export function attachTerminalProgress(events: SweepEmitter, options: TerminalProgressOptions): () => void {
  const now = options.now ?? Date.now;
  const state: ProgressState = { trial: null, phase: 'starting', load: null, done: 0, left: 0, eta_s: null, trial_started_ms: now() };
  let statusShown = false;
  let lastPlain = 0;
  const width = () => Math.max(40, (options.out.columns ?? 120) - 1);
  const clear = () => {
    if (statusShown) options.out.write('\r\x1b[2K');
    statusShown = false;
  };
  const line = (text: string) => {
    clear();
    options.out.write(`${text}\n`);
    drawStatus();
  };
  const drawStatus = () => {
    if (!options.live || !state.trial) return;
    options.out.write(`\r\x1b[2K${formatStatus(state, now()).slice(0, width())}`);
    statusShown = true;
  };
  const tick = () => {
    if (options.live) drawStatus();
    else if (now() - lastPlain >= (options.plainEveryS ?? 10) * 1000 && state.trial) {
      lastPlain = now();
      options.out.write(`${formatStatus(state, now())}\n`);
    }
  };
  const timer = options.live ? setInterval(drawStatus, 1000) : undefined;
  timer?.unref();

  const offs = [
    events.on('sweep:start', (e) => {
      state.left = e.progress.trials_left;
      state.eta_s = e.progress.eta_s;
      line(`sweep ${e.run_id}: ${e.resumed ? `resuming (${e.recorded} trials already recorded)` : 'starting'}; grid of ${e.grid_size} configurations, about ${e.progress.trials_left} trials${e.progress.eta_s === null ? '' : `, ETA ${formatDuration(e.progress.eta_s)}`}\n  folder: ${e.dir}`);
    }),
    events.on('trial:start', (e) => {
      Object.assign(state, { trial: e, phase: 'starting', load: null, done: e.progress.trials_done, left: e.progress.trials_left, eta_s: e.progress.eta_s, trial_started_ms: now() });
      line(`trial #${e.index}: ${describeConfig(e.config)}${e.attempt > 1 ? ` (try ${e.attempt})` : ''}, load from ${users(e.start_users)} users${e.known_held_users ? ` (a smaller configuration held ${users(e.known_held_users)})` : ''}`);
    }),
    events.on('trial:phase', (e) => {
      state.phase = e.phase;
      if (!options.live) line(`  ${e.phase}${e.detail ? `: ${e.detail}` : ''}`);
      else drawStatus();
    }),
    events.on('trial:load', (e) => {
      state.load = e;
      tick();
    }),
    events.on('trial:end', (e) => {
      Object.assign(state, { done: e.progress.trials_done, left: e.progress.trials_left, eta_s: e.progress.eta_s, trial: null, phase: 'next' });
      line(formatTrialEnd(e));
    }),
    events.on('trial:replayed', (e) => {
      state.done++;
      line(`  recorded ${formatTrialEnd({ record: e.record, progress: { trials_done: state.done, trials_left: state.left, eta_s: state.eta_s } }).trim()}`);
    }),
    events.on('warning', (e) => line(`  warning: ${e.message}`)),
    events.on('sweep:end', (e) => {
      line(`${e.stopped ? 'stopped' : 'done'}: ${e.summary.counts.trials} trials; ${e.summary.findings.minimum}`);
    }),
  ];
  return () => {
    if (timer) clearInterval(timer);
    clear();
    for (const off of offs) off();
  };
}
