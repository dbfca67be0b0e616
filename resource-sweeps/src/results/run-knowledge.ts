/**
 * What a sweep knows, from its records: one derivation for the engine (trials left, for the
 * ETA), the summary and the replay that tells whether a run's search is settled. Each record
 * counts the way the search counted the trial's answer (measurementOf in core/knowledge.ts).
 */
import type { TrialAnswer } from '../core/frontier-search.js';
import { createKnowledge, measurementOf, type Knowledge } from '../core/knowledge.js';
import type { SweepPlan } from '../plan/plan-schema.js';
import type { TrialRecord } from './trial-record.js';

/** The answer a record gave the search. */
export function answerOf(record: TrialRecord): TrialAnswer {
  return { config: record.config, held: record.outcome.held_users, upper: record.outcome.upper_users, valid: record.outcome.valid };
}

/** Replays records into knowledge the way the search recorded them. */
export function knowledgeFromRecords(plan: SweepPlan, records: readonly TrialRecord[]): Knowledge {
  const knowledge = createKnowledge({ monotoneInReplicas: plan.search.monotone_in_replicas });
  for (const r of records) knowledge.record(measurementOf(answerOf(r), plan.search.start_above_held ? r.known_held_users : 0));
  return knowledge;
}
