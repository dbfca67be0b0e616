/**
 * `rightsize.bench-generators/v1`: what `npm run bench:generators` measured, written before any
 * rendering (generators.json) and read back by the renderer. One point = one generator at one
 * offered rate (or closed-loop), measured over one window after its warm-up.
 */
import { z } from 'zod';
import type { MachineState } from '../machine.js';

export const BENCH_GENERATORS_SCHEMA = 'rightsize.bench-generators/v1';

const count = z.number().int().nonnegative();
/** bench/machine.ts owns the shape; here it is carried, not re-declared */
const MachineStateSchema = z.custom<MachineState>((v) => typeof v === 'object' && v !== null && 'cores' in v);
const num = z.number().finite();

export const PointKindSchema = z.enum(['fixed', 'probe', 'variant', 'closed']);

export const PointSchema = z.object({
  generator: z.string(),
  kind: PointKindSchema,
  /** requests per second asked of the generator; null for a closed-loop generator */
  offeredRps: num.nullable(),
  /** requests the target answered in the window, per second of the window */
  achievedRps: num,
  achievedRatio: num.nullable(),
  windowS: num,
  /** requests the target answered in the window: the one denominator for every generator */
  requests: count,
  /** generator CPU time (user + system, its whole process tree) in the window / requests, µs */
  cpuUsPerRequest: num.nullable(),
  /** generator CPU in the window, % of one core */
  cpuPct: num,
  /** share of the generator's runnable time spent waiting for a CPU (other work on its core) */
  cpuWaitPct: num.nullable(),
  /** the target's CPU in the window, % of its core (over 90 %: the point measures the target) */
  targetCpuPct: num.nullable(),
  /** the generator's own account: of the window where it can tell, else of its whole run (scope) */
  own: z.object({
    requests: count,
    errors: count,
    p95Ms: num.nullable(),
    dropped: count.nullable(),
    scope: z.object({ p95: z.enum(['window', 'run']), dropped: z.enum(['window', 'run']) }),
  }),
  valid: z.boolean(),
  reasons: z.array(z.string()),
  targetBound: z.boolean(),
  loadavg: z.number(),
  at: z.string(),
});
export type Point = z.infer<typeof PointSchema>;

export const GeneratorSummarySchema = z.object({
  id: z.string(),
  label: z.string(),
  role: z.enum(['generator', 'variant']),
  model: z.enum(['open', 'closed']),
  version: z.string().nullable(),
  /** the largest offered rate measured with every health bound met (closed-loop: its saturated rate) */
  maxRps: num.nullable(),
  /** why the search stopped where it did, e.g. "invalid at 2,600: cpu 93 % > 80 %" */
  maxNote: z.string(),
  /** the generator could not be run (not installed, failed): the reason */
  skipped: z.string().nullable(),
});
export type GeneratorSummary = z.infer<typeof GeneratorSummarySchema>;

export const BoundsSchema = z.object({ minAchievedRatio: num, maxCpuPct: num, maxP95Ms: num, maxErrorRatio: num, maxTargetCpuPct: num });
export type Bounds = z.infer<typeof BoundsSchema>;

export const BenchGeneratorsSchema = z.object({
  schema: z.literal(BENCH_GENERATORS_SCHEMA),
  stamp: z.string(),
  method: z.object({
    generatorCore: z.number().int(),
    targetCore: z.number().int(),
    target: z.string(),
    warmupS: num,
    holdS: num,
    probeHoldS: num,
    rates: z.array(num),
    /** k6 arrival and the pacer: the steps their thresholds/metrics are split into, as a sweep's are */
    steps: count,
    /** seconds of latency each pre-allocated k6 VU / vegeta worker budgets for */
    vuBudgetS: num,
    locustUserRps: num,
    wrkConnections: count,
    bounds: BoundsSchema,
    clockTicksPerS: count,
  }),
  machine: MachineStateSchema,
  machineAfter: MachineStateSchema.nullable(),
  cpuModel: z.string(),
  generators: z.array(GeneratorSummarySchema),
  points: z.array(PointSchema),
  finished: z.boolean(),
});
export type BenchGenerators = z.infer<typeof BenchGeneratorsSchema>;
