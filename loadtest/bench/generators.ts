/**
 * `npm run bench:generators`: what each load generator costs per request on one pinned core,
 * and the largest rate it sustains with its own health intact, in one run against one target.
 *
 * Stages: validate the flags; start the counting target on its core; for each generator in the
 * list (k6 arrival, k6 minimal, the k6 feature ladder, Locust, vegeta, wrk, the pacer): the fixed
 * rates in order until the first unhealthy one, then a few probes above the largest healthy rate
 * (judge.ts); write generators.json (schema.ts) and its rendering generators.md after every point,
 * so an interrupted run keeps what it measured. Every child is bounded in time and stopped on
 * SIGINT/SIGTERM. Hold /tmp/rightsize-heavy.lock while it runs (the machine is shared).
 *
 *   flock /tmp/rightsize-heavy.lock npm run bench:generators -- [--generators vegeta,k6-minimal] \
 *     [--rates 500,1000,2000,4000,6000] [--hold 20] [--warmup 5] [--probes 2] [--ladder-rates 1000]
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LOADTEST_DIR } from '../src/paths.js';
import { requestBody } from '../k6/lib/protocol.js';
import { startCountingTarget } from './generators/counting-target.js';
import { VU_BUDGET_S, type GeneratorEntry } from './generators/entry.js';
import { maxSustained, nextProbe } from './generators/judge.js';
import { k6ArrivalAtRefEntry, k6ArrivalEntry, k6MinimalEntry, k6VariantEntries } from './generators/k6-entries.js';
import { measurePoint } from './generators/measure.js';
import { CLOCK_TICKS_PER_S } from './generators/proc-tree.js';
import { renderGenerators } from './generators/render.js';
import { BENCH_GENERATORS_SCHEMA, BenchGeneratorsSchema, type BenchGenerators, type Bounds, type GeneratorSummary, type Point } from './generators/schema.js';
import { locustEntry, pacerEntry, vegetaEntry, wrkEntry } from './generators/tool-entries.js';
import { machineState } from './machine.js';

const GENERATOR_CORE = 1;
const TARGET_CORE = 0;
const LADDER = 'ladder';

const { values } = parseArgs({
  options: {
    generators: { type: 'string', default: 'all' },
    rates: { type: 'string', default: '500,1000,2000,4000,6000' },
    warmup: { type: 'string', default: '5' },
    hold: { type: 'string', default: '20' },
    'probe-hold': { type: 'string', default: '10' },
    probes: { type: 'string', default: '2' },
    'ladder-rates': { type: 'string', default: '1000' },
    steps: { type: 'string', default: '20' },
    'locust-user-rps': { type: 'string', default: '4' },
    'wrk-connections': { type: 'string', default: '64' },
    'max-rate': { type: 'string', default: '40000' },
    'p95-ms': { type: 'string', default: '50' },
    'max-cpu': { type: 'string', default: '80' },
    /** results/<name>.json and .md: keep a before/after pair side by side */
    name: { type: 'string', default: 'generators' },
    /** also run our arrival scenario as it is at this git ref (e.g. HEAD, before a trim), at the ladder rates */
    'baseline-ref': { type: 'string' },
    /** keep each point's files (raw JSON, CSV, results) for a look afterwards */
    'keep-work': { type: 'boolean', default: false },
  },
});

function numbers(flag: string, text: string, check: (v: number) => boolean): number[] {
  const list = text.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || !list.every((v) => Number.isFinite(v) && check(v))) throw new Error(`--${flag} ${text}: expected ${flag.endsWith('s') ? 'a comma-separated list of' : ''} positive numbers`);
  return list;
}

function parseFlags() {
  const problems: string[] = [];
  const one = (flag: keyof typeof values, check: (v: number) => boolean = (v) => v > 0): number => {
    try {
      return numbers(flag, String(values[flag]), check)[0]!;
    } catch (err) {
      problems.push((err as Error).message);
      return 0;
    }
  };
  const list = (flag: keyof typeof values): number[] => {
    try {
      return numbers(flag, String(values[flag]), (v) => v > 0).sort((a, b) => a - b);
    } catch (err) {
      problems.push((err as Error).message);
      return [];
    }
  };
  const flags = {
    rates: list('rates'),
    ladderRates: list('ladder-rates'),
    warmupS: one('warmup', (v) => v >= 0),
    holdS: one('hold'),
    probeHoldS: one('probe-hold'),
    probes: one('probes', (v) => v >= 0 && Number.isInteger(v)),
    steps: one('steps', (v) => v >= 1 && Number.isInteger(v)),
    locustUserRps: one('locust-user-rps'),
    wrkConnections: one('wrk-connections', (v) => v >= 1 && Number.isInteger(v)),
    maxRate: one('max-rate'),
    bounds: { minAchievedRatio: 0.95, maxCpuPct: one('max-cpu'), maxP95Ms: one('p95-ms'), maxErrorRatio: 0.001, maxTargetCpuPct: 90 } satisfies Bounds,
    only: values.generators === 'all' ? null : values.generators!.split(',').map((s) => s.trim()),
    baselineRef: values['baseline-ref'] ?? null,
    name: values.name!,
  };
  if (flags.baselineRef !== null && !/^[\w./~^-]+$/.test(flags.baselineRef)) problems.push(`--baseline-ref ${flags.baselineRef}: a git ref like HEAD or a commit`);
  if (!/^[\w.-]+$/.test(flags.name)) problems.push(`--name ${flags.name}: letters, digits, '.', '_' and '-' only`);
  if (problems.length > 0) {
    process.stderr.write(`bench:generators: bad flags:\n  ${problems.join('\n  ')}\n`);
    process.exit(2);
  }
  return Object.freeze(flags);
}

const flags = parseFlags();

/** the list, in the order they run; the pacer last */
function catalog(workRoot: string): GeneratorEntry[] {
  const all = [
    k6ArrivalEntry(flags.steps),
    ...(flags.baselineRef !== null ? [k6ArrivalAtRefEntry(flags.baselineRef, flags.steps, workRoot)] : []),
    k6MinimalEntry,
    ...k6VariantEntries(flags.steps),
    locustEntry(flags.locustUserRps),
    vegetaEntry,
    wrkEntry(flags.wrkConnections),
    pacerEntry(flags.steps),
  ];
  if (flags.only === null) return all;
  const unknown = flags.only.filter((id) => id !== LADDER && !all.some((e) => e.id === id));
  if (unknown.length > 0) throw new Error(`--generators: unknown ${unknown.join(', ')} (known: ${[...all.map((e) => e.id), LADDER].join(', ')})`);
  // the baseline is asked for by its own flag
  return all.filter((e) => flags.only!.includes(e.id) || (e.role === 'variant' && (flags.only!.includes(LADDER) || e.id.includes('@'))));
}

// the first SIGINT/SIGTERM stops the current point and writes what was measured; a second exits
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => (stop.signal.aborted ? process.exit(130) : stop.abort()));

async function main(): Promise<void> {
  const workRoot = await mkdtemp(path.join(os.tmpdir(), 'rs-bench-generators-'));
  const entries = (() => {
    try {
      return catalog(workRoot);
    } catch (err) {
      void rm(workRoot, { recursive: true, force: true });
      throw err;
    }
  })();
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const outDir = path.join(LOADTEST_DIR, 'bench', 'results');
  await mkdir(outDir, { recursive: true });
  // this process waits and reads /proc; it stays off the generators' core
  await new Promise((resolve) => spawn('taskset', ['-a', '-pc', String(TARGET_CORE), String(process.pid)], { stdio: 'ignore' }).on('close', resolve));
  const bodyFile = path.join(workRoot, 'body.json');
  const payloads = JSON.parse(await readFile(path.join(LOADTEST_DIR, 'data', 'payloads.json'), 'utf8')) as { rows: Record<string, unknown>[] };
  await writeFile(bodyFile, requestBody('rightsize', payloads.rows[0]!));

  const result: BenchGenerators = {
    schema: BENCH_GENERATORS_SCHEMA,
    stamp,
    method: {
      generatorCore: GENERATOR_CORE,
      targetCore: TARGET_CORE,
      target: 'node:http constant prediction (bench/target-server.ts)',
      warmupS: flags.warmupS,
      holdS: flags.holdS,
      probeHoldS: flags.probeHoldS,
      rates: flags.rates,
      steps: flags.steps,
      vuBudgetS: VU_BUDGET_S,
      locustUserRps: flags.locustUserRps,
      wrkConnections: flags.wrkConnections,
      bounds: flags.bounds,
      clockTicksPerS: CLOCK_TICKS_PER_S,
    },
    machine: await machineState(),
    machineAfter: null,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    generators: [],
    points: [],
    finished: false,
  };
  const save = async () => {
    const doc = BenchGeneratorsSchema.parse(result);
    await writeFile(path.join(outDir, `${flags.name}.json`), `${JSON.stringify(doc, null, 2)}\n`);
    await writeFile(path.join(outDir, `${flags.name}.md`), renderGenerators(doc));
  };

  const target = await startCountingTarget(TARGET_CORE);
  process.stderr.write(`target ${target.url} (pid ${target.pid}, core ${TARGET_CORE}); generators on core ${GENERATOR_CORE}; work files in ${workRoot}\n`);
  try {
    for (const entry of entries) {
      if (stop.signal.aborted) break;
      const summary = await runGenerator(entry, { target, workRoot, bodyFile, points: result.points, save: async (s) => {
        result.generators = [...result.generators.filter((g) => g.id !== s.id), s];
        await save();
      } });
      result.generators = [...result.generators.filter((g) => g.id !== summary.id), summary];
      await save();
    }
    result.finished = !stop.signal.aborted;
  } finally {
    target.stop();
    result.machineAfter = await machineState();
    await save();
    if (values['keep-work']) process.stderr.write(`work files kept in ${workRoot}\n`);
    else await rm(workRoot, { recursive: true, force: true });
  }
  process.stdout.write(`${renderGenerators(BenchGeneratorsSchema.parse(result))}\nwritten: ${path.join(outDir, `${flags.name}.json`)} and .md\n`);
  if (stop.signal.aborted) process.exitCode = 130;
}

interface RunContext {
  target: Awaited<ReturnType<typeof startCountingTarget>>;
  workRoot: string;
  bodyFile: string;
  /** every point so far (this generator's are appended as they come) */
  points: Point[];
  save(summary: GeneratorSummary): Promise<void>;
}

async function runGenerator(entry: GeneratorEntry, ctx: RunContext): Promise<GeneratorSummary> {
  const base = { id: entry.id, label: entry.label, role: entry.role, model: entry.model };
  const probe = await entry.probe().catch((err: unknown) => ({ skip: (err as Error).message }));
  if ('skip' in probe) {
    process.stderr.write(`${entry.id}: skipped: ${probe.skip}\n`);
    return { ...base, version: null, maxRps: null, maxNote: '', skipped: probe.skip };
  }
  const mine: Point[] = [];
  const probeFailures: string[] = [];
  const summarize = (skipped: string | null = null): GeneratorSummary => {
    const max = maxSustained(mine);
    return { ...base, version: probe.version, ...max, maxNote: [max.maxNote, ...probeFailures].join('; '), skipped };
  };
  const measure = async (kind: Point['kind'], rate: number | null, holdS: number): Promise<Point> => {
    process.stderr.write(`${entry.id} ${rate === null ? 'closed loop' : `${rate} req/s`} (${kind}, ${holdS} s) ... `);
    const p = await measurePoint({ entry, kind, rate, warmupS: flags.warmupS, holdS, target: ctx.target, workRoot: ctx.workRoot, bodyFile: ctx.bodyFile, core: GENERATOR_CORE, bounds: flags.bounds, signal: stop.signal });
    process.stderr.write(`${p.achievedRps} req/s, cpu ${p.cpuPct} %, ${p.cpuUsPerRequest} µs/request, p95 ${p.own.p95Ms} ms${p.valid ? '' : ` (unhealthy: ${p.reasons.join('; ')})`}\n`);
    mine.push(p);
    ctx.points.push(p);
    await ctx.save(summarize());
    return p;
  };
  try {
    if (entry.model === 'closed') {
      await measure('closed', null, flags.holdS);
    } else if (entry.role === 'variant') {
      for (const rate of flags.ladderRates) if (!stop.signal.aborted) await measure('variant', rate, flags.holdS);
    } else {
      for (const rate of flags.rates) {
        if (stop.signal.aborted) break;
        if (!(await measure('fixed', rate, flags.holdS)).valid) break;
      }
      const failedAt: number[] = [];
      for (let i = 0; i < flags.probes && !stop.signal.aborted; i++) {
        const rate = nextProbe(mine, { maxCpuPct: flags.bounds.maxCpuPct, maxRate: flags.maxRate, resolution: 1.1 }, failedAt);
        if (rate === null) break;
        // a probe the generator cannot finish (it gave up, e.g. on its own error budget) bounds the search from above
        await measure('probe', rate, flags.probeHoldS).catch((err: unknown) => {
          if (stop.signal.aborted) throw err;
          process.stderr.write(`failed: ${(err as Error).message.split('\n')[0]}\n`);
          failedAt.push(rate);
          probeFailures.push(`could not run at ${rate}: ${(err as Error).message.split('\n')[0]}`);
        });
      }
    }
    return summarize();
  } catch (err) {
    if (stop.signal.aborted) return summarize();
    const why = (err as Error).message;
    process.stderr.write(`failed: ${why}\n`);
    if (mine.length === 0) return summarize(why.split('\n')[0]!);
    const s = summarize();
    return { ...s, maxNote: `${s.maxNote}; then failed: ${why.split('\n')[0]!}` };
  }
}

main().then(
  // exit explicitly: nothing the run started may keep it alive once the results are written
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
