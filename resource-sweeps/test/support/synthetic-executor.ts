/**
 * A TrialExecutor without Docker: each configuration has a capacity (users); steps up to it have
 * a low p95, the first above it a p95 over the objective. Records are built by the real
 * recordTrial from synthetic load summaries and samples, so the engine, the store, the
 * summary and the reports all see real-shaped data.
 */
import { configKey } from '../../src/core/config-space.js';
import { recordTrial } from '../../src/engine/record-trial.js';
import { abortedError } from '../../src/errors.js';
import type { TrialExecutor, TrialSpec } from '../../src/engine/trial-executor.js';
import type { TrialRecord } from '../../src/results/trial-record.js';
import { makeHostSamples, makeLoadSummary, makeSamples, type StepSpec } from './fixtures.js';

export interface SyntheticExecutorOptions {
  capacity: Map<string, number>;
  /** called before each trial runs; may abort the sweep's controller */
  beforeTrial?: (spec: TrialSpec) => void;
  /** users above which the generator saturates */
  generatorLimit?: number;
}

export function createSyntheticExecutor(options: SyntheticExecutorOptions): TrialExecutor & { ran: TrialSpec[] } {
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
      for (const { users } of spec.steps) {
        const generatorValid = options.generatorLimit === undefined || users <= options.generatorLimit;
        const pass = users <= capacity;
        steps.push({ users, p95: pass ? 40 + users / 1000 : 450, generatorValid, rps: Math.min(users, capacity) / 2 });
        hooks.load({ users, step_users: users, elapsed_s: steps.length * 10, rps: users / 2, error_rate: 0, p95_ms: pass ? 40 : 450 });
        if (!pass || !generatorValid) break;
      }
      const summary = makeLoadSummary(steps);
      const seconds = steps.length * 10;
      const samples = makeSamples({ seconds, replicas: spec.config.replicas, cpuLimit: spec.config.cpus, memLimitMib: spec.config.memory_mib, cpuPct: () => spec.config.cpus * 80, throttledShare: 0.3 });
      hooks.phase('down', 'synthetic');
      const started = new Date(summary.started_at);
      return recordTrial(spec, {
        started,
        finished: new Date(started.getTime() + (seconds + 25) * 1000),
        load: { summary, summaryFile: null },
        samples,
        host: makeHostSamples(seconds),
        startupEvents: [],
        notes: [],
        targetUrl: summary.target_url,
        samplesFile: null,
      });
    },
  };
}
