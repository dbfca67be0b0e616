/**
 * What a sweep knows, from its records: one derivation for the engine (trials left, for the
 * ETA), the summary and the replay that tells whether a run's search is settled. Each record
 * counts the way the search counted the trial's answer (measurementOf in core/knowledge.ts).
 */
import { failedFirstStep, type TrialAnswer } from '../core/frontier-search.js';
import { sameConfig } from '../core/config-space.js';
import { userLadder } from '../plan/load-contract.js';
import { createKnowledge, measurementOf, type Knowledge } from '../core/knowledge.js';
import type { SweepPlan } from '../plan/plan-schema.js';
import type { TrialRecord } from './trial-record.js';

/** The answer a record gave the search. */
export function answerOf(record: TrialRecord): TrialAnswer {
  return { config: record.config, held: record.outcome.held_users, upper: record.outcome.upper_users, valid: record.outcome.valid };
}

/**
 * Trials the search did not count: each failed on its first judged step and was run again from
 * lower (search.rerun_first_step_failure), and that next attempt counts instead. Their index ->
 * the index of the re-run.
 */
export function supersededTrials(plan: SweepPlan, records: readonly TrialRecord[]): Map<number, number> {
  const out = new Map<number, number>();
  if (!plan.search.rerun_first_step_failure) return out;
  const ladder = userLadder(plan);
  for (const r of records) {
    if (!failedFirstStep(answerOf(r), r.start_users, ladder)) continue;
    const rerun = records.find((n) => n.index > r.index && sameConfig(n.config, r.config) && n.attempt === r.attempt + 1 && n.start_users < r.start_users);
    if (rerun) out.set(r.index, rerun.index);
  }
  return out;
}

/** Replays records into knowledge the way the search recorded them (re-run first-step failures left out). */
export function knowledgeFromRecords(plan: SweepPlan, records: readonly TrialRecord[]): Knowledge {
  const knowledge = createKnowledge({ monotoneInReplicas: plan.search.monotone_in_replicas });
  const superseded = supersededTrials(plan, records);
  for (const r of records) if (!superseded.has(r.index)) knowledge.record(measurementOf(answerOf(r), plan.search.start_above_held ? r.known_held_users : 0));
  return knowledge;
}
