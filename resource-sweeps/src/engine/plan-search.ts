/**
 * The search a plan asks for: its strategy (frontier or grid) and settings over the load
 * contract's ladder, and how many trials it may still need. The sweep engine runs it with an
 * oracle that runs trials; replay.ts runs it with one that only reads recorded ones.
 */
import { estimateRemainingTrials, frontierSearch, gridSearch, gridSize, type Oracle, type SearchOutcome } from '../core/frontier-search.js';
import type { Knowledge } from '../core/knowledge.js';
import type { SweepPlan } from '../plan/plan-schema.js';

export function runSearch(options: { plan: SweepPlan; ladder: readonly number[]; oracle: Oracle; signal?: AbortSignal }): Promise<SearchOutcome> {
  const { plan } = options;
  return (plan.search.strategy === 'grid' ? gridSearch : frontierSearch)({
    candidates: plan.candidates,
    ladder: options.ladder,
    order: { monotoneInReplicas: plan.search.monotone_in_replicas },
    startAboveHeld: plan.search.start_above_held,
    retries: plan.search.retries,
    confirmInferred: plan.search.confirm_inferred,
    rerunFirstStepFailure: plan.search.rerun_first_step_failure,
    confirmBoundary: plan.search.confirm_boundary,
    oracle: options.oracle,
    signal: options.signal,
  });
}

/** Upper estimate of the trials the search still needs, given what the sweep knows. */
export function trialsLeft(plan: SweepPlan, ladder: readonly number[], knowledge: Knowledge): number {
  return plan.search.strategy === 'grid'
    ? gridSize(plan.candidates) - knowledge.measurements().length
    : estimateRemainingTrials(knowledge, plan.candidates, ladder, plan.search.confirm_inferred, plan.search.confirm_boundary, { monotoneInReplicas: plan.search.monotone_in_replicas });
}
