/**
 * results.jsonl + run.json -> summary.json. Pure: the knowledge is rebuilt from the records
 * exactly as the search built it, so the map, the answer and the evidence agree with what the
 * search decided, also for an interrupted run.
 */
import { deriveAnswer } from '../core/answer.js';
import { compareCost, configKey, gridConfigs, isAtMost, sameConfig, totalCost, type TrialConfig } from '../core/config-space.js';
import type { StepVerdict } from '../core/trial-outcome.js';
import { userLadder } from '../plan/load-contract.js';
import { describeConfig } from '../core/config-space.js';
import { knowledgeFromRecords, supersededTrials } from '../results/run-knowledge.js';
import type { RunMeta, TrialRecord } from '../results/trial-record.js';
import { deriveFindings } from './findings.js';
import { SUMMARY_SCHEMA_ID, type AtStep, type Evidence, type ReplicaSummary, type Summary, type TrialRow } from './summary-schema.js';

export interface DeriveSummaryOptions {
  meta: RunMeta;
  records: readonly TrialRecord[];
  complete: boolean;
  /** clock, for generated_at / wall_seconds */
  now: Date;
}

export function atStep(step: StepVerdict | undefined): AtStep | null {
  if (!step) return null;
  return {
    users: step.users,
    p95_ms: step.latency_ms.p95,
    p99_ms: step.latency_ms.p99,
    error_rate: step.error_rate,
    rps: step.rps,
    cpu_pct_of_limit: step.api.cpu_pct_avg !== null && step.api.cpu_limit_pct ? (100 * step.api.cpu_pct_avg) / step.api.cpu_limit_pct : null,
    throttled_ratio: step.api.throttled_ratio,
    mem_max_mib: step.api.mem_max_mib,
    mem_limit_mib: step.api.mem_limit_mib,
    host_cpu_pct: step.host_cpu_pct,
    host_cpu_pressure_pct: step.host_cpu_pressure_pct,
  };
}

/** The attempt that decides a configuration: its last valid one, else its last one. */
function decidingRecord(records: readonly TrialRecord[], config: TrialConfig, superseded: ReadonlyMap<number, number>): TrialRecord | undefined {
  const own = records.filter((r) => sameConfig(r.config, config) && !superseded.has(r.index));
  return own.filter((r) => r.outcome.valid).at(-1) ?? own.at(-1);
}

export function deriveSummary(options: DeriveSummaryOptions): Summary {
  const { meta, records } = options;
  const plan = meta.plan;
  const ladder = userLadder(plan);
  const target = ladder[ladder.length - 1] as number;
  const knowledge = knowledgeFromRecords(plan, records);
  const superseded = supersededTrials(plan, records);
  const answer = deriveAnswer(knowledge, plan.candidates, target);
  const cores = meta.machine.cores;

  const evidence = (config: TrialConfig): Evidence => {
    const status = knowledge.status(config, target);
    const bounds = knowledge.bounds(config);
    const own = knowledge.measurement(config);
    const record = decidingRecord(records, config, superseded);
    const from = status === 'pass' ? bounds.lowerFrom : status === 'fail' ? bounds.upperFrom : null;
    const fromRecord = from && !own ? decidingRecord(records, from, superseded) : undefined;
    const failed = record?.outcome.failed_step;
    return {
      config,
      total_cpus: totalCost(config).cpus,
      total_memory_mib: totalCost(config).memory_mib,
      status,
      held_users: bounds.lower,
      upper_users: bounds.upper,
      measured: own !== undefined,
      trial_index: record?.index ?? null,
      inferred_from:
        from && fromRecord
          ? {
              config: from,
              trial_index: fromRecord.index,
              why:
                status === 'pass'
                  ? `${describeConfig(from)} held ${bounds.lower} users with no more resources`
                  : `${describeConfig(from)} has at least these resources and held at most ${bounds.upper ?? 0} users`,
            }
          : null,
      at_held: atStep(record?.outcome.steps.filter((s) => s.pass).at(-1)),
      failure: failed ? { users: failed.users, reasons: failed.reasons, machine_bound: failed.machine_bound, limit_binding: failed.limit_binding, at: atStep(record?.outcome.steps.find((s) => s.users === failed.users)) } : null,
      // the stack's cores are what is left beside the generator's, pinned or not
      oversubscribed: totalCost(config).cpus > Math.max(1, cores - Math.ceil(plan.load.generator.cpus)),
    };
  };

  const configs = gridConfigs(plan.candidates).map(evidence);
  const byKey = new Map(configs.map((e) => [configKey(e.config), e]));
  const ev = (c: TrialConfig) => byKey.get(configKey(c)) as Evidence;

  const per_replicas: ReplicaSummary[] = answer.per_replicas.map((a) => {
    const own = configs.filter((e) => e.config.replicas === a.replicas);
    const maxHeld = [...own].sort((x, y) => y.held_users - x.held_users || Number(y.measured) - Number(x.measured) || compareCost(x.config, y.config))[0] ?? null;
    const cheaper: Evidence[] = [];
    if (a.best) {
      const { cpus, memory } = plan.candidates;
      const ci = cpus.indexOf(a.best.cpus);
      const mi = memory.indexOf(a.best.memory_mib);
      const maxMemory = memory[memory.length - 1] as number;
      if (ci > 0) cheaper.push(ev({ replicas: a.replicas, cpus: cpus[ci - 1] as number, memory_mib: maxMemory }));
      if (mi > 0) cheaper.push(ev({ replicas: a.replicas, cpus: a.best.cpus, memory_mib: memory[mi - 1] as number }));
    }
    return { replicas: a.replicas, best: a.best ? ev(a.best) : null, cheaper, undecided: a.undecided.map(ev), max_held: maxHeld && maxHeld.held_users > 0 ? maxHeld : null };
  });

  const trials: TrialRow[] = records.map((r) => ({
    index: r.index,
    attempt: r.attempt,
    config: r.config,
    start_users: r.start_users,
    held_users: r.outcome.held_users,
    upper_users: r.outcome.upper_users,
    end: r.outcome.end,
    valid: r.outcome.valid,
    failed_users: r.outcome.failed_step?.users ?? null,
    reasons: r.outcome.failed_step?.reasons ?? [],
    machine_bound: r.outcome.failed_step?.machine_bound ?? false,
    limit_binding: r.outcome.failed_step?.limit_binding ?? null,
    duration_s: r.duration_s,
    rerun_as: superseded.get(r.index) ?? null,
    ...(r.confirmation ? { confirmation: true } : {}),
    warmup: r.warmup ? { users: r.warmup.users, requests: r.warmup.requests, rps: r.warmup.rps, p95_ms: r.warmup.p95_ms, error_rate: r.warmup.error_rate } : null,
    steps: r.outcome.steps.map((s) => ({
      users: s.users,
      pass: s.pass,
      valid: s.valid,
      p95_ms: s.latency_ms.p95,
      error_rate: s.error_rate,
      rps: s.rps,
      cpu_pct: s.api.cpu_pct_avg,
      cpu_limit_pct: s.api.cpu_limit_pct,
      mem_max_mib: s.api.mem_max_mib,
      mem_limit_mib: s.api.mem_limit_mib,
      throttled_ratio: s.api.throttled_ratio,
      host_cpu_pct: s.host_cpu_pct,
      host_cpu_pressure_pct: s.host_cpu_pressure_pct,
      limit_binding: s.limit_binding,
      generator_cpu_pct: s.generator.cpu_pct_avg,
    })),
  }));

  const measured = knowledge.measurements();
  // a configuration whose own runs disagree counts with what both agree on
  const agreedHeld = (m: (typeof measured)[number]) => (m.upper !== null && m.held > m.upper ? m.upper : m.held);
  const monotonicity_violations = measured.flatMap((small) =>
    measured
      .filter((large) => !sameConfig(small.config, large.config) && isAtMost(small.config, large.config, { monotoneInReplicas: plan.search.monotone_in_replicas }))
      .filter((large) => large.upper !== null && agreedHeld(small) > large.upper)
      .map((large) => ({
        smaller: small.config,
        larger: large.config,
        detail: `${describeConfig(small.config)} held ${agreedHeld(small)} users but ${describeConfig(large.config)} held only ${large.upper}`,
      })),
  );

  const created = Date.parse(meta.created_at);
  // the sweep's own time: to its last finished trial, so re-rendering later does not stretch it
  const lastFinished = records.reduce((max, r) => Math.max(max, Date.parse(r.finished_at) || 0), 0);
  const until = options.complete && lastFinished > 0 ? lastFinished : options.now.getTime();
  const summary: Omit<Summary, 'findings'> = {
    schema: SUMMARY_SCHEMA_ID,
    run_id: meta.run_id,
    plan_source: meta.plan_source,
    plan,
    machine: meta.machine,
    git_commit: meta.git_commit,
    created_at: meta.created_at,
    generated_at: options.now.toISOString(),
    complete: options.complete,
    target_users: target,
    counts: {
      trials: records.length,
      valid: records.filter((r) => r.outcome.valid).length,
      invalid: records.filter((r) => !r.outcome.valid).length,
      configurations_measured: measured.length,
      grid_size: configs.length,
      load_seconds: records.reduce((sum, r) => sum + (r.outcome.steps.at(-1)?.to_s ?? 0), 0),
      trial_seconds: records.reduce((sum, r) => sum + r.duration_s, 0),
      wall_seconds: Number.isFinite(created) ? Math.max(0, (until - created) / 1000) : 0,
    },
    overall: answer.best ? ev(answer.best) : null,
    per_replicas,
    configs,
    trials,
    confirmations: confirmationsOf(records, superseded, target, knowledge),
    monotonicity_violations,
  };
  return { ...summary, findings: deriveFindings(summary) };
}

/** Every configuration with a confirmation run: its counted valid runs side by side. */
function confirmationsOf(records: readonly TrialRecord[], superseded: ReadonlyMap<number, number>, target: number, knowledge: ReturnType<typeof knowledgeFromRecords>): NonNullable<Summary['confirmations']> {
  const confirmed = new Map<string, TrialConfig>();
  for (const r of records) if (r.confirmation) confirmed.set(configKey(r.config), r.config);
  return [...confirmed.values()].map((config) => {
    const runs = records
      .filter((r) => sameConfig(r.config, config) && r.outcome.valid && !superseded.has(r.index))
      .map((r) => {
        const held = Math.max(r.outcome.held_users, r.known_held_users);
        const last = r.outcome.steps.at(-1);
        return { trial_index: r.index, held_users: held, failed_users: r.outcome.failed_step?.users ?? null, pass: held >= target, p95_ms_at_end: last ? last.latency_ms.p95 : null };
      });
    return { config, runs, agree: runs.every((x) => x.pass === runs[0]?.pass), status: knowledge.status(config, target) };
  });
}
