/**
 * Time left in a sweep: trials left (the search's upper estimate) times the mean duration of
 * the trials run so far, or, before any has run, a duration estimated from the plan.
 */
import type { SweepPlan } from '../plan/plan-schema.js';

/** Fixed cost of a trial besides its load steps: stack up, healthy, warm-up, tear-down (measured here: ~20-30 s). */
export const TRIAL_OVERHEAD_S = 25;

/** A trial's expected seconds before any was measured: overhead plus half the ladder (trials stop at the first failing step). */
export function plannedTrialSeconds(plan: SweepPlan, ladder: readonly number[]): number {
  return TRIAL_OVERHEAD_S + plan.trial.warmup.duration + Math.ceil(ladder.length / 2) * (plan.load.ramp + plan.load.hold);
}

export function estimateEta(options: { plan: SweepPlan; ladder: readonly number[]; durations: readonly number[]; trialsLeft: number }): number {
  const { durations } = options;
  const perTrial = durations.length ? durations.reduce((a, b) => a + b, 0) / durations.length : plannedTrialSeconds(options.plan, options.ladder);
  return Math.round(perTrial * options.trialsLeft);
}
