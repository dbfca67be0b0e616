/**
 * compare.json: several sweeps of the same plan against different servers, side by side. The
 * data first (this module, pure over the runs' summaries), then Markdown and HTML
 * (report/compare.ts). For each target: its minimum for the objective, the CPU and memory that
 * minimum takes against the reference target's (ours), the largest load it held at each
 * (replicas, CPU) limit, and the API CPU it spent per request answered without error. Ratios say "how many times
 * ours", and when a target has no minimum in the plan they are bounds, never guesses.
 */
import { z } from 'zod';
import { TrialConfigSchema, describeConfig, type TrialConfig } from '../core/config-space.js';
import { users } from './findings.js';
import type { Evidence, Summary } from './summary-schema.js';

export const COMPARE_SCHEMA_ID = 'rightsize.compare/v1';

const RatioSchema = z
  .object({
    /** exact: both have a minimum; more_than / less_than: a bound from the largest failing (or smallest passing) configuration; unknown */
    kind: z.enum(['exact', 'more_than', 'less_than', 'unknown']),
    value: z.number().nullable(),
  })
  .strict();
export type Ratio = z.infer<typeof RatioSchema>;

const HeldSchema = z
  .object({
    users: z.number(),
    /** pass: held the target load; fail: held `users` and no more; unknown: undecided */
    status: z.enum(['pass', 'fail', 'unknown']),
    measured: z.boolean(),
    memory_mib: z.number(),
  })
  .strict();

export const CompareTargetSchema = z
  .object({
    name: z.string(),
    run_id: z.string(),
    image: z.string(),
    protocol: z.string(),
    /** a finished run given by id rather than swept for this comparison */
    reused: z.boolean(),
    /** the run's search finished */
    complete: z.boolean(),
    candidates: z.object({ replicas: z.array(z.number()), cpus: z.array(z.number()), memory: z.array(z.number()) }).strict(),
    trials: z.number().int(),
    wall_seconds: z.number(),
    minimum: z.object({ config: TrialConfigSchema, total_cpus: z.number(), total_memory_mib: z.number(), text: z.string() }).strict().nullable(),
    /** the most users any of its configurations was measured to hold */
    most_held: z.object({ config: TrialConfigSchema, users: z.number() }).strict().nullable(),
    /** configurations it ran whose every try was ended by the machine or the generator (or whose runs disagree) */
    undecided: z.number().int(),
    /** median API CPU per request answered without error (µs) over its valid steps; basis says which steps */
    cpu_us_per_request: z.object({ median: z.number(), steps: z.number().int(), basis: z.enum(['within_objective_errors', 'all_valid_steps']) }).strict().nullable(),
    /** against the reference target: how many times its CPU and memory this one's minimum needs; null for the reference */
    versus_reference: z
      .object({ cpu: RatioSchema, memory: RatioSchema, cpu_per_request: z.number().nullable() })
      .strict()
      .nullable(),
  })
  .strict();
export type CompareTarget = z.infer<typeof CompareTargetSchema>;

export const CompareDocSchema = z
  .object({
    schema: z.literal(COMPARE_SCHEMA_ID),
    id: z.string(),
    generated_at: z.string(),
    /** the target the ratios are against (ours) */
    reference: z.string(),
    target_users: z.number(),
    /** the ladder's first step (users) */
    first_step_users: z.number(),
    objective: z.object({ p95_ms: z.number(), max_error_rate: z.number() }).passthrough(),
    /** every run offered the same load against the same objective; else what differs */
    same_load_and_objective: z.boolean(),
    differences: z.array(z.string()),
    targets: z.array(CompareTargetSchema),
    /** per (replicas, CPU limit): the largest load each target held at that limit (its best memory candidate) */
    equal_limits: z.array(z.object({ replicas: z.number().int(), cpus: z.number(), held: z.record(z.string(), HeldSchema.nullable()) }).strict()),
    /** the answer in sentences, reference first */
    findings: z.array(z.string()),
  })
  .strict();
export type CompareDoc = z.infer<typeof CompareDocSchema>;

export type CompareEntry = { name: string; summary: Summary; reused: boolean };

const round = (v: number, digits = 2) => Number(v.toFixed(digits));

function cpuPerRequest(s: Summary): CompareTarget['cpu_us_per_request'] {
  // per answer without error: a request that timed out or that the balancer refused is not served
  const answered = (st: Summary['trials'][number]['steps'][number]) => st.rps * (1 - st.error_rate);
  const valid = s.trials.flatMap((t) => t.steps).filter((st) => st.valid && answered(st) > 0 && st.cpu_pct !== null);
  const within = valid.filter((st) => st.error_rate <= s.plan.objective.max_error_rate);
  const [steps, basis] = within.length > 0 ? [within, 'within_objective_errors' as const] : [valid, 'all_valid_steps' as const];
  if (steps.length === 0) return null;
  const us = steps.map((st) => ((st.cpu_pct as number) / 100 / answered(st)) * 1e6).sort((a, b) => a - b);
  const mid = Math.floor(us.length / 2);
  const median = us.length % 2 ? (us[mid] as number) : ((us[mid - 1] as number) + (us[mid] as number)) / 2;
  return { median: round(median, 1), steps: steps.length, basis };
}

function mostHeld(s: Summary): CompareTarget['most_held'] {
  const best = s.configs.filter((e) => e.measured).sort((a, b) => b.held_users - a.held_users || a.total_cpus - b.total_cpus)[0];
  return best ? { config: best.config, users: best.held_users } : null;
}

/**
 * How many times the reference's CPU the target's minimum needs. Without a minimum, a bound:
 * more than its largest failing configuration's CPU (measured or inferred: at that CPU, with up
 * to its memory, it did not hold), or, when the reference has none, less than the target's
 * minimum over the reference's largest failing.
 */
function ratio(target: Summary, ref: Summary, pick: (e: Evidence) => number): Ratio {
  const largestFail = (s: Summary) => Math.max(0, ...s.configs.filter((e) => e.status === 'fail').map(pick));
  const t = target.overall;
  const r = ref.overall;
  if (t && r) return { kind: 'exact', value: round(pick(t) / pick(r)) };
  if (!t && r) {
    const f = largestFail(target);
    return f > 0 ? { kind: 'more_than', value: round(f / pick(r)) } : { kind: 'unknown', value: null };
  }
  if (t && !r) {
    const f = largestFail(ref);
    return f > 0 ? { kind: 'less_than', value: round(pick(t) / f) } : { kind: 'unknown', value: null };
  }
  return { kind: 'unknown', value: null };
}

export function ratioText(r: Ratio, what: string): string {
  switch (r.kind) {
    case 'exact':
      return `${r.value}x the ${what}`;
    case 'more_than':
      return `more than ${r.value}x the ${what}`;
    case 'less_than':
      return `less than ${r.value}x the ${what}`;
    default:
      return `an unknown multiple of the ${what}`;
  }
}

function differences(entries: CompareEntry[]): string[] {
  const [first, ...rest] = entries;
  if (!first) return [];
  const out: string[] = [];
  for (const e of rest) {
    for (const key of ['load', 'objective'] as const) {
      if (JSON.stringify(e.summary.plan[key]) !== JSON.stringify(first.summary.plan[key])) out.push(`${e.name} (${e.summary.run_id}) ran another ${key} than ${first.name} (${first.summary.run_id})`);
    }
  }
  return out;
}

function heldAt(s: Summary, replicas: number, cpus: number): z.infer<typeof HeldSchema> | null {
  const es = s.configs.filter((e) => e.config.replicas === replicas && e.config.cpus === cpus && (e.measured || e.status !== 'unknown'));
  const best = es.sort((a, b) => b.held_users - a.held_users || a.config.memory_mib - b.config.memory_mib)[0];
  return best ? { users: best.held_users, status: best.status, measured: best.measured, memory_mib: best.config.memory_mib } : null;
}

export function buildCompareDoc(options: { id: string; entries: CompareEntry[]; reference?: string; now?: Date }): CompareDoc {
  const { entries } = options;
  const refEntry = entries.find((e) => e.name === options.reference) ?? entries[0];
  if (!refEntry) throw new Error('a comparison needs at least one run');
  const ref = refEntry.summary;
  const targets = entries.map((e): CompareTarget => {
    const s = e.summary;
    const isRef = e === refEntry;
    const cpr = cpuPerRequest(s);
    const refCpr = cpuPerRequest(ref);
    return {
      name: e.name,
      run_id: s.run_id,
      image: s.plan.target.image,
      protocol: s.plan.target.protocol,
      reused: e.reused,
      complete: s.complete,
      candidates: { replicas: s.plan.candidates.replicas, cpus: s.plan.candidates.cpus, memory: s.plan.candidates.memory },
      trials: s.counts.trials,
      wall_seconds: s.counts.wall_seconds,
      minimum: s.overall ? { config: s.overall.config, total_cpus: s.overall.total_cpus, total_memory_mib: s.overall.total_memory_mib, text: describeConfig(s.overall.config) } : null,
      most_held: mostHeld(s),
      undecided: s.configs.filter((c) => c.measured && c.status === 'unknown').length,
      cpu_us_per_request: cpr,
      versus_reference: isRef
        ? null
        : {
            cpu: ratio(s, ref, (x) => x.total_cpus),
            // no bound for memory: a configuration that failed on CPU says nothing about the memory a passing one needs
            memory: s.overall && ref.overall ? { kind: 'exact', value: round(s.overall.total_memory_mib / ref.overall.total_memory_mib) } : { kind: 'unknown', value: null },
            cpu_per_request: cpr && refCpr && refCpr.median > 0 ? round(cpr.median / refCpr.median, 1) : null,
          },
    };
  });
  const limits = new Map<string, { replicas: number; cpus: number }>();
  for (const e of entries) for (const c of e.summary.configs) limits.set(`${c.config.replicas}x${c.config.cpus}`, { replicas: c.config.replicas, cpus: c.config.cpus });
  const equal = [...limits.values()]
    .sort((a, b) => a.replicas * a.cpus - b.replicas * b.cpus || a.replicas - b.replicas)
    .map((l) => ({ ...l, held: Object.fromEntries(entries.map((e) => [e.name, heldAt(e.summary, l.replicas, l.cpus)])) }))
    .filter((row) => Object.values(row.held).some((h) => h?.measured));
  const diffs = differences(entries);
  const doc: CompareDoc = {
    schema: COMPARE_SCHEMA_ID,
    id: options.id,
    generated_at: (options.now ?? new Date()).toISOString(),
    reference: refEntry.name,
    target_users: ref.target_users,
    first_step_users: ref.plan.load.users.from,
    objective: ref.plan.objective,
    same_load_and_objective: diffs.length === 0,
    differences: diffs,
    targets,
    equal_limits: equal,
    findings: [],
  };
  doc.findings = compareFindings(doc);
  return CompareDocSchema.parse(doc);
}

const configText = (c: TrialConfig) => describeConfig(c);

/** The comparison in sentences: each target's minimum, then each peer against the reference. */
export function compareFindings(doc: CompareDoc): string[] {
  const ref = doc.targets.find((t) => t.name === doc.reference);
  const out: string[] = [];
  const load = `${users(doc.target_users)} users at p95 <= ${doc.objective.p95_ms} ms and <= ${doc.objective.max_error_rate * 100} % errors`;
  for (const t of doc.targets) {
    const min = t.minimum
      ? `${t.name} meets ${load} with ${t.minimum.text} (${round(t.minimum.total_cpus)} CPU, ${t.minimum.total_memory_mib} MiB in total)`
      : `${t.name} meets ${load} with none of its ${t.candidates.replicas.length * t.candidates.cpus.length * t.candidates.memory.length} configurations${
          !t.most_held ? '' : t.most_held.users > 0 ? `; the most it held was ${users(t.most_held.users)} users (${configText(t.most_held.config)})` : `; none it ran held even the first step (${users(doc.first_step_users)} users)`
        }`;
    const undecided = t.undecided > 0 ? `; ${t.undecided} of the configurations it ran stayed undecided (the machine or the generator ended every try, or its runs disagreed)` : '';
    const cost = t.cpu_us_per_request
      ? `; its API spent ${t.cpu_us_per_request.median.toLocaleString('en-US')} µs of CPU per request answered without error (median of ${t.cpu_us_per_request.steps} ${t.cpu_us_per_request.steps === 1 ? 'step' : 'steps'}${
          t.cpu_us_per_request.basis === 'all_valid_steps' ? ', all saturated: none was within the error objective, so this counts work on requests that then timed out' : ' within the error objective'
        })`
      : '';
    out.push(`${min}${undecided}${cost}${t.complete ? '' : ' (its sweep is incomplete)'}.`);
  }
  for (const t of doc.targets) {
    if (!ref || t === ref || !t.versus_reference) continue;
    const v = t.versus_reference;
    const saturated = t.cpu_us_per_request?.basis === 'all_valid_steps' ? ' (saturated, see above)' : '';
    const perReq = v.cpu_per_request !== null ? `, and ${v.cpu_per_request}x the CPU per request answered${saturated}` : '';
    out.push(`${t.name} against ${ref.name}: its minimum needs ${ratioText(v.cpu, 'CPU')} and ${ratioText(v.memory, 'memory')} of ${ref.name}'s${perReq}.`);
  }
  if (!doc.same_load_and_objective) out.push(`Not like for like: ${doc.differences.join('; ')}.`);
  return out;
}
