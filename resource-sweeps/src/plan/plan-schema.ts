/**
 * The sweep plan: one zod schema gives validation, defaults and the TypeScript type. The
 * defaults ARE the default plan (`npm run sweep` with no --plan), so there is one source for
 * it; `npm run sweep -- plan` prints it resolved. Why each default is what it is (the 45-minute
 * arithmetic) is in resource-sweeps/README.md.
 */
import { z } from 'zod';
import { PROTOCOLS } from '@rightsize/loadtest/protocol';
import { ENGINE_NAMES } from '@rightsize/loadtest/summary-schema';
import { DurationSchema, MemoryMibSchema } from './units.js';

const positiveInt = z.number().int().positive();

/** A list of candidate values: non-empty, no duplicates; sorted ascending after parsing. */
function candidateList<T extends z.ZodType<number>>(item: T, what: string) {
  return z
    .array(item)
    .min(1, `list at least one ${what}`)
    .superRefine((values, ctx) => {
      const seen = new Set<number>();
      values.forEach((v, i) => {
        if (seen.has(v as number)) ctx.addIssue({ code: 'custom', path: [i], message: `duplicate ${what} ${v}` });
        seen.add(v as number);
      });
    })
    .transform((values) => [...values].sort((a, b) => (a as number) - (b as number)));
}

export const TargetSchema = z
  .object({
    /** the image under test: ours by default; any image that serves HTTP can be swept */
    image: z.string().min(1).default('rightsize-api:latest'),
    /** which request the load sends: our /predict, or MLflow's /invocations (`mlflow models serve`) */
    protocol: z.enum(PROTOCOLS).default('rightsize'),
    /** port the image listens on inside the container */
    port: positiveInt.max(65535).default(8000),
    /** path that answers 200 once the server can take load */
    health_path: z.string().startsWith('/').default('/health/ready'),
    /** variables for the compose file (API_MAX_INFLIGHT, API_HEAP_LIMIT_MB, LAB_MODE, ...: compose/README.md) */
    env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}),
  })
  .strict();
export type Target = z.infer<typeof TargetSchema>;

export const UsersSchema = z
  .object({
    from: positiveInt.default(500),
    to: positiveInt.default(10_000),
    step: positiveInt.default(500),
  })
  .strict()
  .superRefine((u, ctx) => {
    if (u.from > u.to) ctx.addIssue({ code: 'custom', path: ['from'], message: `from (${u.from}) is above to (${u.to})` });
    else if ((u.to - u.from) % u.step !== 0)
      ctx.addIssue({ code: 'custom', path: ['to'], message: `to (${u.to}) is not reached from ${u.from} in steps of ${u.step}` });
  });
export type Users = z.infer<typeof UsersSchema>;

export const LoadSchema = z
  .object({
    /**
     * the load generator; default: the pacer for the open model (the cheapest per request: one
     * core offers the workshop's 5,714 req/s), k6 for the closed model (the pacer has no users)
     */
    engine: z.enum(ENGINE_NAMES).optional(),
    /**
     * steps: closed model, virtual users with think time, stepped up (a slow server slows its own
     * load). arrival: open model, each step offers the request rate its users would (users / mean
     * think time) whatever the server does; k6 only, and far fewer generator VUs (memory) than users.
     */
    scenario: z.enum(['steps', 'arrival']).default('arrival'),
    users: UsersSchema.default({ from: 500, to: 10_000, step: 500 }),
    /** time to ramp linearly into each step */
    ramp: DurationSchema.default(3),
    /** time each step is held at its user count; p95 and errors are judged over the step */
    hold: DurationSchema.default(9),
    /** each user waits uniformly between min and max seconds between requests */
    think_time: z
      .object({ min: DurationSchema.default(1), max: DurationSchema.default(2.5) })
      .strict()
      .refine((t) => t.min <= t.max, { message: 'think_time.min is above think_time.max', path: ['min'] })
      .default({ min: 1, max: 2.5 }),
    /** the generator's own fixed limits: generous, never the API's */
    generator: z
      .object({ cpus: z.number().positive().default(1), memory: MemoryMibSchema.default(8192) })
      .strict()
      .default({ cpus: 1, memory: 8192 }),
    /**
     * generator instances each trial's load is split across (the pacer only: each offers 1/N of
     * every step's rate from one shared start; per-step results are merged exactly from their
     * histograms and a step is valid only when every instance was healthy). Each instance gets
     * `generator`'s limits
     */
    generators: z.number().int().min(1).max(16).default(1),
  })
  .strict()
  .refine((l) => l.generators === 1 || (l.engine ?? (l.scenario === 'arrival' ? 'pacer' : 'k6')) === 'pacer', {
    message: 'generators > 1 splits the load across pacer instances only: use engine pacer (scenario arrival), or one generator',
    path: ['generators'],
  })
  .refine((l) => l.scenario === 'steps' || l.engine !== 'locust', { message: 'the arrival scenario runs on the pacer or k6, not Locust', path: ['scenario'] })
  .refine((l) => l.scenario === 'arrival' || l.engine !== 'pacer', { message: 'the pacer offers open-model load only: use scenario arrival, or engine k6/locust for steps', path: ['scenario'] })
  .transform((l) => ({ ...l, engine: l.engine ?? (l.scenario === 'arrival' ? 'pacer' : 'k6') }));
export type Load = z.infer<typeof LoadSchema>;

export const PlanObjectiveSchema = z
  .object({
    p95_ms: z.number().positive().default(200),
    p99_ms: z.number().positive().nullable().default(null),
    max_error_rate: z.number().min(0).max(1).default(0.01),
    /** an OOM-killed API container fails the step unless allowed */
    allow_oom_kill: z.boolean().default(false),
    /** a restarted API container fails the step unless allowed */
    allow_restarts: z.boolean().default(false),
  })
  .strict();
export type PlanObjective = z.infer<typeof PlanObjectiveSchema>;

export const CandidatesSchema = z
  .object({
    replicas: candidateList(positiveInt.max(32), 'replica count').default([1, 2, 3]),
    cpus: candidateList(z.number().min(0.01).max(64), 'CPU limit').default([0.1, 0.25, 0.5, 1]),
    memory: candidateList(MemoryMibSchema, 'memory limit').default([128, 192, 256]),
  })
  .strict();
export type Candidates = z.infer<typeof CandidatesSchema>;

export const SearchSchema = z
  .object({
    /** frontier: monotone search with pruning; grid: every configuration (for checking the frontier) */
    strategy: z.enum(['frontier', 'grid']).default('frontier'),
    /** how often an invalid trial (saturated generator, infrastructure error) is retried */
    retries: z.number().int().min(0).max(5).default(1),
    /** assume more replicas never hurt (prunes across replica counts) */
    monotone_in_replicas: z.boolean().default(true),
    /** start a trial at the step above what a smaller, already measured configuration held */
    start_above_held: z.boolean().default(true),
    /** run a replica count's minimum when it was only inferred from other trials, so every answer has its own trial */
    confirm_inferred: z.boolean().default(true),
    /**
     * a trial that started above the ladder's first step (a smaller configuration held the steps
     * below) and failed on its first judged step runs once more from one step lower before the
     * failure counts: a replica that meets a heavy step cold (JIT, a small CPU quota) can fail a
     * load it holds warm
     */
    rerun_first_step_failure: z.boolean().default(true),
    /**
     * boundary confirmation: once the search has an answer, the minimum and each measured failure
     * that decided a cheaper configuration run a second time; a configuration whose two runs
     * disagree is undecided (the report shows both) and the search goes on from there. One
     * verdict on the boundary comes from one short hold and can flip: this is what a second run
     * costs (about 5 trials on the default plan) to find out
     */
    confirm_boundary: z.boolean().default(true),
  })
  .strict();
export type Search = z.infer<typeof SearchSchema>;

export const TrialSettingsSchema = z
  .object({
    healthy_timeout: DurationSchema.default(90),
    /**
     * load before the first judged step, not judged: the trial's generator offers `users` (by
     * default `start`: the trial's first judged step, so every replica meets its starting load
     * per replica warm, not cold) for `duration`, ramped up over its first half. JIT, connection
     * pools and ONNX Runtime's first runs happen here. 0 s: none
     */
    warmup: z
      .object({ duration: DurationSchema.default(6), users: z.union([positiveInt, z.literal('start')]).default('start') })
      .strict()
      .default({ duration: 6, users: 'start' }),
    sample_interval: DurationSchema.default(1),
    /**
     * pin the stack (API replicas, balancer) to the cores the generator is not pinned to (on 2
     * cores: stack on core 0, generator on core 1). Off by default since the pacer: it uses about
     * a third of its core at the workshop's 5,714 req/s, and a stack confined to the other core
     * (API, HAProxy and their share of the kernel's networking) gave out at 8,000 users whatever
     * the API's limits, where an unpinned one held 9,500 (resource-sweeps/README.md, "Why these
     * defaults"). The generator stays pinned to its core, and its health (CPU, send lag) is judged
     * on every step, so a starved generator still makes a step invalid, never a failure.
     */
    pin_stack: z.boolean().default(false),
  })
  .strict();
export type TrialSettings = z.infer<typeof TrialSettingsSchema>;

/**
 * The cores left to the stack when the generator takes the last ceil(cpus) cores (the load
 * runner's `cpuset: auto`), as a cpuset string; null when the machine has no core to spare.
 */
export function stackCpuset(cores: number, generatorCpus: number): string | null {
  const need = Math.ceil(generatorCpus);
  if (cores < 2 || need >= cores) return null;
  const last = cores - need - 1;
  return last === 0 ? '0' : `0-${last}`;
}

export const SweepPlanSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes').default('default'),
    description: z.string().default(''),
    target: TargetSchema.default(TargetSchema.parse({})),
    load: LoadSchema.default(LoadSchema.parse({})),
    objective: PlanObjectiveSchema.default(PlanObjectiveSchema.parse({})),
    candidates: CandidatesSchema.default(CandidatesSchema.parse({})),
    runtime: z.enum(['compose', 'swarm']).default('compose'),
    search: SearchSchema.default(SearchSchema.parse({})),
    trial: TrialSettingsSchema.default(TrialSettingsSchema.parse({})),
  })
  .strict();
export type SweepPlan = z.infer<typeof SweepPlanSchema>;
/** What a plan file may contain before defaults and unit parsing. */
export type SweepPlanInput = z.input<typeof SweepPlanSchema>;
