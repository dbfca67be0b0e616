/**
 * The stepped load a sweep plan asks for, worked out once per sweep: the user ladder (the search
 * counts capacity in its steps), each trial's steps (the users a step stands for beside what the
 * generator offers for them: users, or their request rate in the open model) and the load
 * runner's options for a trial. Built with the load runner's own schedule module (the file k6
 * runs), so the sweep, the runner and k6 step through the same numbers.
 */
import type { LoadOptionsInput } from '@rightsize/loadtest/options';
import { loadSteps, userLevels, type LoadStep } from '@rightsize/loadtest/schedule';
import { SweepError } from '../errors.js';
import type { SweepPlan } from './plan-schema.js';
import { formatMemory } from './units.js';

/** One step of a trial: the users it stands for (always known here) beside what the generator offers for them. */
export interface TrialStep extends LoadStep {
  users: number;
}

/** Where a trial's load goes and where its files land. */
export interface LoadDestination {
  /** the balancer as the generator sees it inside the stack's network */
  url: string;
  network: string;
  /** the owner label value the network carries */
  owner: string;
  outDir: string;
  runId: string;
}

export interface LoadContract {
  /** the user counts of the stepped load, ascending; the last one is the target */
  ladder: readonly number[];
  /** a trial's steps: from the first ladder step at or above `startUsers` (else the target) up to the target */
  trialSteps(startUsers: number): TrialStep[];
  /** the load runner's options for a trial's steps (timing: the plan's ramp and hold unless given) */
  loadOptions(steps: readonly TrialStep[], destination: LoadDestination, timing?: { rampS: number; holdS: number }): LoadOptionsInput;
  /**
   * The warm-up's load (trial.warmup): one step at the trial's first judged step or at the
   * plan's fixed users, ramped over half the duration and held the rest; null when it is 0 s.
   */
  warmup(trial: readonly TrialStep[]): { step: TrialStep; rampS: number; holdS: number } | null;
}

/** The user counts of the plan's stepped load, e.g. 500, 1000, ... 10000 (the plan schema keeps `to` on the grid). */
export function userLadder(plan: SweepPlan): number[] {
  const { from, to, step } = plan.load.users;
  return userLevels(from, to, step);
}

export function createLoadContract(plan: SweepPlan): LoadContract {
  const { load } = plan;
  const think = { thinkMinS: load.think_time.min, thinkMaxS: load.think_time.max };
  // the sweep's scenarios (steps, arrival) are stepped users, so every step knows its users
  const steps = loadSteps({ scenario: load.scenario, startUsers: load.users.from, maxUsers: load.users.to, stepUsers: load.users.step, rates: [], ...think }).map((s) => ({ ...s, users: s.users as number }));
  const ladder = steps.map((s) => s.users);
  const target = ladder[ladder.length - 1] as number;
  const base = {
    engine: load.engine,
    scenario: load.scenario,
    // the request body, route and response check follow the protocol (path defaults from it)
    protocol: plan.target.protocol,
    objective: { p95Ms: plan.objective.p95_ms, p99Ms: plan.objective.p99_ms, maxErrorRate: plan.objective.max_error_rate },
  } as const;
  return {
    ladder,
    trialSteps(startUsers) {
      const start = ladder.find((u) => u >= startUsers) ?? target;
      return steps.filter((s) => s.users >= start);
    },
    warmup(trial) {
      const { duration, users } = plan.trial.warmup;
      const first = trial[0];
      if (duration <= 0 || first === undefined) return null;
      const step: TrialStep = users === 'start' ? first : { ...loadSteps({ scenario: load.scenario, startUsers: users, maxUsers: users, stepUsers: 1, rates: [], ...think })[0]!, users };
      return { step, rampS: duration / 2, holdS: duration / 2 };
    },
    loadOptions(trial, destination, timing = { rampS: load.ramp, holdS: load.hold }) {
      const first = trial[0];
      const last = trial[trial.length - 1];
      if (first === undefined || last === undefined) throw new SweepError('SWEEP_ERR_LOAD', 'a trial needs at least one step');
      return {
        ...base,
        target: destination.url,
        schedule: { startUsers: first.users, maxUsers: last.users, stepUsers: load.users.step, ...timing, ...think },
        generator: { runtime: 'docker', cpus: load.generator.cpus, memory: formatMemory(load.generator.memory), network: destination.network, networkOwner: destination.owner },
        generators: load.generators,
        outDir: destination.outDir,
        runId: destination.runId,
      };
    },
  };
}
