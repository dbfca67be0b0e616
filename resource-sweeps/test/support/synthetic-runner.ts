/**
 * A TrialRunner without Docker: each configuration has a capacity (users); steps up to it have
 * a low p95, the first above it a p95 over the objective. Records are built by the real
 * evaluateTrial from synthetic load summaries and samples, so the engine, the store, the
 * summary and the reports all see real-shaped data.
 */
import { configKey } from '../../src/core/config-space.js';
import { evaluateTrial } from '../../src/core/trial-outcome.js';
import { abortedError } from '../../src/errors.js';
import type { TrialRunner, TrialSpec } from '../../src/engine/trial-runner.js';
import { TRIAL_SCHEMA_ID, type TrialRecord } from '../../src/results/trial-record.js';
import { makeHostSamples, makeLoadSummary, makeSamples, type StepSpec } from './fixtures.js';

export interface SyntheticRunnerOptions {
  capacity: Map<string, number>;
  /** called before each trial runs; may abort the sweep's controller */
  beforeTrial?: (spec: TrialSpec) => void;
  /** users above which the generator saturates */
  generatorLimit?: number;
}

export function createSyntheticRunner(options: SyntheticRunnerOptions): TrialRunner & { ran: TrialSpec[] } {
  const ran: TrialSpec[] = [];
  return {
    ran,
    async cleanupStale() {
      return null;
    },
    async run(spec, hooks, signal): Promise<TrialRecord> {
      options.beforeTrial?.(spec);
      hooks.phase('up', 'synthetic');
      if (signal.aborted) {
        hooks.phase('down', 'aborted');
        throw abortedError(signal.reason);
      }
      ran.push(spec);
      const capacity = options.capacity.get(configKey(spec.config)) ?? 0;
      const steps: StepSpec[] = [];
      for (const users of spec.ladder) {
        const generatorValid = options.generatorLimit === undefined || users <= options.generatorLimit;
        const pass = users <= capacity;
        steps.push({ users, p95: pass ? 40 + users / 1000 : 450, generatorValid, rps: Math.min(users, capacity) / 2 });
        hooks.load({ users, step_users: users, elapsed_s: steps.length * 10, rps: users / 2, error_rate: 0, p95_ms: pass ? 40 : 450 });
        if (!pass || !generatorValid) break;
      }
      const summary = makeLoadSummary(steps);
      const seconds = steps.length * 10;
      const samples = makeSamples({ seconds, replicas: spec.config.replicas, cpuLimit: spec.config.cpus, memLimitMib: spec.config.memory_mib, cpuPct: () => spec.config.cpus * 80, throttledShare: 0.3 });
      const ladder = [];
      for (let u = spec.plan.load.users.from; u <= spec.plan.load.users.to; u += spec.plan.load.users.step) ladder.push(u);
      const outcome = evaluateTrial({ summary, samples, host: makeHostSamples(seconds), objective: spec.plan.objective, ladder });
      hooks.phase('down', 'synthetic');
      return {
        schema: TRIAL_SCHEMA_ID,
        run_id: spec.run_id,
        index: spec.index,
        attempt: spec.attempt,
        config: spec.config,
        start_users: spec.ladder[0] ?? 0,
        known_held_users: spec.known_held_users,
        started_at: summary.started_at,
        finished_at: summary.finished_at,
        duration_s: seconds + 25,
        outcome,
        usage: {},
        load: { engine: 'synthetic', engine_version: '0', target_url: 'http://lb:8080/predict', summary_file: null },
        samples_file: null,
        notes: [],
      };
    },
  };
}
