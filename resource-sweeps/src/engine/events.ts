/**
 * The sweep engine's typed events. The terminal progress and (later) the web page are two
 * consumers of the same stream; `onAny` exists so an SSE endpoint can forward everything
 * without knowing each event. A listener that throws never stops the sweep.
 */
import type { TrialConfig } from '../core/config-space.js';
import type { SweepPlan } from '../plan/plan-schema.js';
import type { TrialRecord } from '../results/trial-record.js';
import type { Summary } from '../summary/summary-schema.js';

export type TrialPhase = 'cleanup' | 'up' | 'healthy' | 'warmup' | 'load' | 'down';

/** Live numbers of a trial's load, about once a second (the load driver reports them). */
export interface LoadProgress {
  users: number;
  step_users: number | null;
  elapsed_s: number;
  rps: number;
  error_rate: number;
  p95_ms: number | null;
  /** the load generator's own health, when the load runner knows it (the live page shows it) */
  generator?: { cpu_pct: number | null; mem_mib: number | null; dropped: number | null };
}

export interface Progress {
  trials_done: number;
  /** upper estimate of the trials still to run */
  trials_left: number;
  eta_s: number | null;
}

export interface SweepEvents {
  'sweep:start': { run_id: string; dir: string; plan: SweepPlan; resumed: boolean; recorded: number; grid_size: number; progress: Progress };
  'trial:start': { index: number; attempt: number; config: TrialConfig; start_users: number; known_held_users: number; progress: Progress };
  'trial:phase': { index: number; phase: TrialPhase; detail: string };
  /** live load numbers, about once a second while the load runs */
  'trial:load': { index: number } & LoadProgress;
  /** one sample per container per tick */
  'trial:sample': { index: number; t: number; name: string; service: string; cpu_pct: number | null; mem_mib: number | null; mem_limit_mib: number | null };
  'trial:end': { record: TrialRecord; progress: Progress };
  /** a trial found in results.jsonl on --resume, not run again */
  'trial:replayed': { record: TrialRecord };
  'summary:written': { summary: Summary; files: string[] };
  'sweep:end': { summary: Summary; stopped: boolean; dir: string };
  warning: { message: string };
}

export type SweepEventName = keyof SweepEvents;
export type Listener<K extends SweepEventName> = (payload: SweepEvents[K]) => void;
export type AnyListener = <K extends SweepEventName>(name: K, payload: SweepEvents[K]) => void;

export interface SweepEmitter {
  on<K extends SweepEventName>(name: K, listener: Listener<K>): () => void;
  onAny(listener: AnyListener): () => void;
  emit<K extends SweepEventName>(name: K, payload: SweepEvents[K]): void;
}

export function createSweepEmitter(): SweepEmitter {
  const listeners = new Map<SweepEventName, Set<(payload: never) => void>>();
  const any = new Set<AnyListener>();
  const safely = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      // a broken consumer (a closed SSE socket, a terminal gone) must not end a sweep
      process.emitWarning(`sweep event listener failed: ${(error as Error).message}`);
    }
  };
  return {
    on(name, listener) {
      const set = listeners.get(name) ?? new Set();
      set.add(listener as (payload: never) => void);
      listeners.set(name, set);
      return () => set.delete(listener as (payload: never) => void);
    },
    onAny(listener) {
      any.add(listener);
      return () => any.delete(listener);
    },
    emit(name, payload) {
      for (const l of listeners.get(name) ?? []) safely(() => (l as Listener<typeof name>)(payload));
      for (const l of any) safely(() => l(name, payload));
    },
  };
}
