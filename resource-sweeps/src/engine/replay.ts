/**
 * Whether the recorded trials of a run already settle its search: the search is replayed with
 * an oracle that only answers from results.jsonl. Used by `report` to say "complete" or "resume
 * to finish" without running anything.
 */
import { configKey } from '../core/config-space.js';
import { frontierSearch, gridSearch, type Oracle } from '../core/frontier-search.js';
import { loadSteps } from '../plan/plan-schema.js';
import type { RunMeta, TrialRecord } from '../results/trial-record.js';

class MissingTrial extends Error {}

export async function isSearchComplete(meta: RunMeta, records: readonly TrialRecord[]): Promise<boolean> {
  const plan = meta.plan;
  const byKey = new Map(records.map((r) => [`${configKey(r.config)}#${r.attempt}`, r]));
  const oracle: Oracle = async (request) => {
    const r = byKey.get(`${configKey(request.config)}#${request.attempt}`);
    if (!r) throw new MissingTrial();
    return { config: r.config, held: r.outcome.held_users, upper: r.outcome.upper_users, valid: r.outcome.valid };
  };
  try {
    await (plan.search.strategy === 'grid' ? gridSearch : frontierSearch)({
      candidates: plan.candidates,
      ladder: loadSteps(plan.load.users),
      order: { monotoneInReplicas: plan.search.monotone_in_replicas },
      startAboveHeld: plan.search.start_above_held,
      retries: plan.search.retries,
      confirmInferred: plan.search.confirm_inferred,
      oracle,
    });
    return true;
  } catch (error) {
    if (error instanceof MissingTrial) return false;
    throw error;
  }
}
