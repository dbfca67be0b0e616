/**
 * Whether the recorded trials of a run already settle its search: the search is replayed with
 * an oracle that only answers from results.jsonl. Used by `report` to say "complete" or "resume
 * to finish" without running anything.
 */
import { configKey } from '../core/config-space.js';
import type { Oracle } from '../core/frontier-search.js';
import { userLadder } from '../plan/load-contract.js';
import { answerOf } from '../results/run-knowledge.js';
import type { RunMeta, TrialRecord } from '../results/trial-record.js';
import { runSearch } from './plan-search.js';

class MissingTrial extends Error {}

export async function isSearchComplete(meta: RunMeta, records: readonly TrialRecord[]): Promise<boolean> {
  const byKey = new Map(records.map((r) => [`${configKey(r.config)}#${r.attempt}`, r]));
  const oracle: Oracle = async (request) => {
    const r = byKey.get(`${configKey(request.config)}#${request.attempt}`);
    if (!r) throw new MissingTrial();
    return answerOf(r);
  };
  try {
    await runSearch({ plan: meta.plan, ladder: userLadder(meta.plan), oracle });
    return true;
  } catch (error) {
    if (error instanceof MissingTrial) return false;
    throw error;
  }
}
