/**
 * What a load run needs, validated once at the entry point (CLI or library caller such as the
 * sweep) and frozen. Defaults reproduce the workshop: 500 -> 10,000 users by 500, 1-2.5 s think.
 */
import { formatIssues } from '@rightsize/compose/kit/issues';
import { z } from 'zod';
import { DEFAULT_PATHS, PROTOCOLS, pathConflict } from '../k6/lib/protocol.js';
import { LoadError } from './errors.js';
import { ENGINE_NAMES } from './summary-schema.js';

const positive = z.number().finite().positive();
const nonNegative = z.number().finite().nonnegative();

/** The stepped load (k6/lib/schedule.ts builds the steps from it). */
export const ScheduleOptionsSchema = z
  .object({
    startUsers: z.number().int().positive().default(500),
    maxUsers: z.number().int().positive().default(10_000),
    stepUsers: z.number().int().positive().default(500),
    /** poisson: one step per rate (requests per second) */
    rates: z.array(positive).default([]),
    rampS: nonNegative.default(10),
    holdS: positive.default(60),
    thinkMinS: nonNegative.default(1),
    thinkMaxS: nonNegative.default(2.5),
  })
  .strict()
  .refine((p) => p.maxUsers >= p.startUsers, { message: 'maxUsers must be >= startUsers', path: ['maxUsers'] })
  .refine((p) => p.thinkMaxS >= p.thinkMinS, { message: 'thinkMaxS must be >= thinkMinS', path: ['thinkMaxS'] });

export const ObjectiveOptionsSchema = z
  .object({
    p95Ms: positive.nullable().default(null),
    p99Ms: positive.nullable().default(null),
    maxErrorRate: z.number().min(0).max(1).default(0.01),
  })
  .strict();

export const GeneratorOptionsSchema = z
  .object({
    /** auto: k6 image present -> container, else local binary */
    runtime: z.enum(['auto', 'local', 'docker']).default('auto'),
    /** fixed CPU and memory of the generator container: never the API's limits */
    cpus: positive.default(1),
    memory: z.string().regex(/^\d+(\.\d+)?[kmg]$/i, 'like 512m or 4g').default('6g'),
    /** cores to pin the generator to (e.g. "1"); "auto" = the last cores when the machine has 2+; "none" = no pinning */
    cpuset: z.string().regex(/^(auto|none|\d+([-,]\d+)*)$/, 'auto, none or a cpuset like 1 or 2-3').default('auto'),
    image: z.string().min(1).optional(),
    /** docker network of a stack this run created; service-name targets are allowed only there */
    network: z.string().min(1).optional(),
    /** the `io.rightsize.owner` label value the network must carry (proof the run created it) */
    networkOwner: z.string().min(1).optional(),
    /** Locust distributed mode: worker processes/containers (0 = one process) */
    workers: z.number().int().nonnegative().default(0),
  })
  .strict();

export const LoadOptionsSchema = z
  .object({
    engine: z.enum(ENGINE_NAMES).default('k6'),
    scenario: z.enum(['steps', 'arrival', 'poisson']).default('steps'),
    /** base URL of the API, e.g. http://127.0.0.1:8000 or http://lb:8080 */
    target: z.string().url(),
    /** rightsize: POST /predict with one row; mlflow: POST /invocations with {"dataframe_records": [row]} */
    protocol: z.enum(PROTOCOLS).default('rightsize'),
    /** the prediction route; default from the protocol (/predict, /invocations) */
    path: z.string().startsWith('/').optional(),
    schedule: ScheduleOptionsSchema.default(ScheduleOptionsSchema.parse({})),
    objective: ObjectiveOptionsSchema.default(ObjectiveOptionsSchema.parse({})),
    generator: GeneratorOptionsSchema.default(GeneratorOptionsSchema.parse({})),
    /**
     * generator instances one run is split across (the pacer: each offers 1/N of every rate,
     * all on one shared start; per-step results merged exactly, health judged per instance)
     */
    generators: z.number().int().min(1).default(1),
    requestTimeoutS: positive.default(10),
    /** check one response in N against the contract (0 = never) */
    checkEvery: z.number().int().nonnegative().default(20),
    /** arrival: latency budget per pre-allocated VU, seconds */
    vuBudgetS: positive.default(0.5),
    sloWarmupS: nonNegative.optional(),
    health: z
      .object({
        maxCpuPct: positive.max(100).default(80),
        minAchievedRatio: z.number().min(0).max(1).default(0.95),
        /** off (null) by default: see generator-health.ts */
        maxCpuWaitPct: positive.max(100).nullable().default(null),
        /** the pacer's send lag may take this % of the latency objective at p95 */
        maxSendLagPct: positive.max(100).default(10),
      })
      .strict()
      .default({ maxCpuPct: 80, minAchievedRatio: 0.95, maxCpuWaitPct: null, maxSendLagPct: 10 }),
    /** payloads.json to send (default: loadtest/data/payloads.json) */
    payloads: z.string().min(1).optional(),
    /** run folder; default <results>/<run id> */
    outDir: z.string().min(1).optional(),
    runId: z.string().regex(/^[\w.-]+$/).optional(),
    /** seconds allowed beyond the schedule (engine start, VU init, last requests) before the run is stopped */
    graceS: positive.default(60),
  })
  .strict()
  .refine((o) => o.engine !== 'locust' || o.scenario === 'steps', {
    message: 'Locust runs the closed-model `steps` scenario only; use --engine pacer or k6 for arrival and poisson',
    path: ['scenario'],
  })
  .refine((o) => o.engine !== 'pacer' || o.scenario !== 'steps', {
    message: 'the pacer offers open-model load only (arrival, poisson); use --engine k6 or locust for the closed-model steps',
    path: ['scenario'],
  })
  .refine((o) => o.generators === 1 || o.engine !== 'locust', {
    message: "Locust splits load with its own workers: use --workers N (generator.workers) instead of generators > 1",
    path: ['generators'],
  })
  .refine((o) => o.generators === 1 || o.engine !== 'k6', {
    message: 'k6 runs as one generator here (generators > 1 is implemented for the pacer only; by hand, split k6 with --execution-segment)',
    path: ['generators'],
  })
  .refine((o) => o.scenario !== 'poisson' || o.schedule.rates.length > 0, {
    message: 'the poisson scenario needs at least one rate (--rates 50,100)',
    path: ['schedule', 'rates'],
  })
  .superRefine((o, ctx) => {
    const conflict = o.path === undefined ? null : pathConflict(o.protocol, o.path);
    if (conflict !== null) ctx.addIssue({ code: 'custom', message: conflict, path: ['path'] });
  })
  .transform((o) => ({ ...o, path: o.path ?? DEFAULT_PATHS[o.protocol] }));

export type LoadOptionsInput = z.input<typeof LoadOptionsSchema>;
export type LoadOptions = z.output<typeof LoadOptionsSchema>;

/** Validates options from any caller; LOAD_ERR_BAD_OPTION lists every offending key. */
export function parseLoadOptions(input: unknown, source = 'load options'): Readonly<LoadOptions> {
  const parsed = LoadOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issues = formatIssues(parsed.error.issues);
    throw new LoadError('LOAD_ERR_BAD_OPTION', `${source}:\n  ${issues.join('\n  ')}`, { issues });
  }
  return Object.freeze(parsed.data);
}
