/**
 * The contract between the engine and whatever runs one trial. The real executor (Docker stack,
 * k6/Locust, sampler) lives in src/adapters; tests plug in synthetic executors. An executor tears
 * down everything it started before it resolves or rejects, abort included.
 */
import type { TrialConfig } from '../core/config-space.js';
import type { LoadContract, TrialStep } from '../plan/load-contract.js';
import type { SweepPlan } from '../plan/plan-schema.js';
import type { TrialRecord } from '../results/trial-record.js';
import type { SweepEvents, TrialPhase } from './events.js';

export interface TrialSpec {
  run_id: string;
  /** run folder, for the trial's raw files */
  dir: string;
  index: number;
  attempt: number;
  config: TrialConfig;
  plan: SweepPlan;
  /** the sweep's load contract, worked out once per sweep from the plan */
  load: LoadContract;
  /** the steps this trial runs: from its start up to the target */
  steps: TrialStep[];
  known_held_users: number;
  /** a boundary confirmation: the second run of a configuration the answer rests on */
  confirmation?: boolean;
}

export interface TrialHooks {
  phase(phase: TrialPhase, detail?: string): void;
  load(payload: Omit<SweepEvents['trial:load'], 'index'>): void;
  sample(payload: Omit<SweepEvents['trial:sample'], 'index'>): void;
  warn(message: string): void;
}

export interface TrialExecutor {
  /**
   * Removes what crashed sweeps left behind (by label; only sweeps whose process is gone),
   * before the first trial. Resolves to a line for the log, or null when there was nothing.
   */
  cleanupStale(): Promise<string | null>;
  /** runs one trial and returns its record; infrastructure failures come back as an invalid record, not a throw */
  run(spec: TrialSpec, hooks: TrialHooks, signal: AbortSignal): Promise<TrialRecord>;
  /** once, when the sweep ends (abort and failure included): undoes what the executor set up for all trials; a line for the log, or null */
  close?(): Promise<string | null>;
}
