/**
 * The answer a sweep gives, read off what it knows: per replica count, the cheapest
 * configuration that passes at the target load, plus the cheaper ones it could not decide
 * (invalid trials). The frontier search and the exhaustive grid share this function, so
 * comparing their answers compares what they measured, not two ways of reading it.
 */
import type { Candidates } from '../plan/plan-schema.js';
import { compareCost, gridConfigs, type TrialConfig } from './config-space.js';
import type { Knowledge } from './knowledge.js';

export interface ReplicaAnswer {
  replicas: number;
  /** cheapest configuration known to pass at the target; null when none is */
  best: TrialConfig | null;
  /** configurations cheaper than `best` whose status stayed unknown (invalid trials) */
  undecided: TrialConfig[];
}

export interface Answer {
  target_users: number;
  per_replicas: ReplicaAnswer[];
  /** cheapest over all replica counts */
  best: TrialConfig | null;
}

export function deriveAnswer(knowledge: Knowledge, candidates: Candidates, targetUsers: number): Answer {
  const all = gridConfigs(candidates).sort(compareCost);
  const per_replicas = candidates.replicas.map((replicas): ReplicaAnswer => {
    const own = all.filter((c) => c.replicas === replicas);
    const best = own.find((c) => knowledge.status(c, targetUsers) === 'pass') ?? null;
    const cheaper = best ? own.filter((c) => compareCost(c, best) < 0) : own;
    return { replicas, best, undecided: cheaper.filter((c) => knowledge.status(c, targetUsers) === 'unknown') };
  });
  const bests = per_replicas.map((a) => a.best).filter((c): c is TrialConfig => c !== null);
  return { target_users: targetUsers, per_replicas, best: bests.sort(compareCost)[0] ?? null };
}
