/**
 * The k6 entries: our `arrival` scenario exactly as the runner starts it (k6Args from the same
 * load options), the minimal script, and the feature ladder between them (k6-variants.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { freeLoopbackPort } from '@rightsize/compose/net';
import { k6 } from '../../src/engines/k6.js';
import { k6Args, parseK6Version } from '../../src/engines/k6-invocation.js';
import { findBinary } from '../../src/engines/local-runtime.js';
import { parseLoadOptions, type LoadOptions } from '../../src/options.js';
import { integrateTarget } from '../../k6/lib/schedule.js';
import { K6_DIR, LOADTEST_DIR } from '../../src/paths.js';
import { parseRawResult } from '../../src/raw-schema.js';
import { mergedQuantile } from './merge-quantiles.js';
import { poolFor, REQUEST_PATH, type CollectContext, type GeneratorCommand, type GeneratorEntry, type OwnReport, type Peek, type RunInput } from './entry.js';

const run = promisify(execFile);
const HERE = path.join(LOADTEST_DIR, 'bench', 'generators');
const REPO_DIR = path.dirname(LOADTEST_DIR);
const QUIET = { K6_NO_USAGE_REPORT: 'true' };

export async function probeK6(): Promise<{ version: string } | { skip: string }> {
  const bin = await findBinary(k6);
  if (!bin) return { skip: k6.noBinary };
  const version = parseK6Version((await run(bin, ['version'])).stdout);
  return { version: version ?? 'unknown' };
}

async function k6Bin(): Promise<string> {
  const bin = await findBinary(k6);
  if (!bin) throw new Error(k6.noBinary);
  return bin;
}

/**
 * Load options that offer `rate` req/s for `runS` seconds the way a sweep's arrival run does:
 * `steps` steps of 1 user each around rate x mean think time (so the per-step sub-metrics and
 * thresholds are as many as a 20-step plan's), no ramp between them (the first step's ramp from
 * 0 is part of the warm-up). The steps' mean rate is `rate` to within 0.1 %.
 */
export function arrivalOptions(targetUrl: string, rate: number, runS: number, steps: number): Readonly<LoadOptions> {
  const meanThinkS = 1.75;
  const startUsers = Math.max(1, Math.round(rate * meanThinkS - (steps - 1) / 2));
  return parseLoadOptions({
    engine: 'k6',
    scenario: 'arrival',
    target: targetUrl,
    schedule: { startUsers, maxUsers: startUsers + steps - 1, stepUsers: 1, rampS: 0, holdS: runS / steps, thinkMinS: 1, thinkMaxS: 2.5 },
    generator: { runtime: 'local' },
  });
}

/**
 * A `rightsize.load-raw/v1` file (k6's handleSummary, the pacer) over the window: the steps that
 * lie wholly inside it. Their p95 merges the steps' quantiles (merge-quantiles.ts: percentiles
 * do not average). Dropped iterations: `droppedInWindow` when the caller has
 * the exact count (k6's REST API), else each step's own count or its planned starts minus the
 * starts it saw, less one for boundary jitter.
 */
export async function readRawWindow(file: string, window: CollectContext['window'], droppedInWindow: number | null): Promise<OwnReport> {
  const raw = parseRawResult(JSON.parse(await readFile(file, 'utf8')), file);
  if (raw.t0_ms === null) throw new Error(`${file}: no t0_ms, the steps cannot be placed in time`);
  const t0 = raw.t0_ms;
  const planned = raw.plan.steps.filter((p) => t0 + p.rampStartS * 1000 >= window.fromMs && t0 + p.endS * 1000 <= window.toMs);
  const steps = raw.steps.filter((s) => planned.some((p) => p.index === s.index));
  if (steps.length === 0) throw new Error(`${file}: no step lies inside the window`);
  const deficit = planned.reduce((sum, p) => {
    const s = steps.find((x) => x.index === p.index);
    if (s?.dropped != null) return sum + s.dropped;
    return sum + Math.max(0, Math.round(integrateTarget(p, p.rampStartS, p.endS)) - (s?.started ?? 0) - 1);
  }, 0);
  return {
    requests: steps.reduce((a, s) => a + s.requests, 0),
    errors: steps.reduce((a, s) => a + s.failed, 0),
    p95Ms: mergedQuantile(steps.map((s) => s.latency), 0.95),
    dropped: droppedInWindow ?? deficit,
    scope: { p95: 'window', dropped: 'window' },
  };
}

function droppedBetween(peeks: CollectContext['peeks']): number | null {
  return peeks ? (peeks.to.dropped ?? 0) - (peeks.from.dropped ?? 0) : null;
}

/** k6's REST API: dropped iterations so far (the metric exists only once one was dropped) */
async function peekK6(address: string): Promise<Peek> {
  const res = await fetch(`http://${address}/v1/metrics/dropped_iterations`, { signal: AbortSignal.timeout(5000) });
  if (res.status === 404) return { dropped: 0 };
  const doc = z.object({ data: z.object({ attributes: z.object({ sample: z.object({ count: z.number() }) }) }) }).parse(await res.json());
  return { dropped: doc.data.attributes.sample.count };
}

/** k6's --summary-export (the legacy end-of-test JSON) */
const SummaryExportSchema = z.object({
  metrics: z.object({
    http_reqs: z.object({ count: z.number() }).optional(),
    http_req_failed: z.object({ passes: z.number() }).optional(),
    http_req_duration: z.object({ 'p(95)': z.number() }).optional(),
  }),
});

/** whole-run requests, errors and p95 from --summary-export; dropped iterations over the window from the REST API */
async function readSummaryExport(file: string, ctx: CollectContext): Promise<OwnReport> {
  const m = SummaryExportSchema.parse(JSON.parse(await readFile(file, 'utf8'))).metrics;
  return { requests: m.http_reqs?.count ?? 0, errors: m.http_req_failed?.passes ?? 0, p95Ms: m.http_req_duration?.['p(95)'] ?? null, dropped: droppedBetween(ctx.peeks), scope: { p95: 'run', dropped: 'window' } };
}

/** k6Args' command plus more `-e` variables and flags, before the script (its last argument) */
function extend(args: string[], env: Record<string, string>, flags: string[]): string[] {
  return [...args.slice(0, -1), ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]), ...flags, args.at(-1)!];
}

/** k6 on arrival.ts from `scriptsDir` with the runner's own command line (k6Args) */
async function arrivalCommand(input: RunInput, steps: number, scriptsDir: string): Promise<GeneratorCommand> {
  const options = arrivalOptions(input.targetUrl, input.rate!, input.runS, steps);
  const rawSummary = path.join(input.workDir, 'raw.json');
  const address = `127.0.0.1:${await freeLoopbackPort()}`;
  const args = k6Args(options, { script: path.join(scriptsDir, 'arrival.ts'), rawSummary, payloads: null, restAddress: address });
  return { file: await k6Bin(), args, env: QUIET, stopSignal: 'SIGINT', peek: () => peekK6(address), collect: (ctx) => readRawWindow(rawSummary, ctx.window, droppedBetween(ctx.peeks)) };
}

export function k6ArrivalEntry(steps: number): GeneratorEntry {
  return {
    id: 'k6-arrival',
    label: 'k6, our arrival scenario',
    role: 'generator',
    model: 'open',
    probe: probeK6,
    command: (input) => arrivalCommand(input, steps, K6_DIR),
  };
}

/**
 * Our arrival scenario as it was at a git ref (e.g. HEAD before a trim), measured in the same run
 * as the work tree's: the scripts and their payloads are extracted once with `git archive`.
 */
export function k6ArrivalAtRefEntry(ref: string, steps: number, workRoot: string): GeneratorEntry {
  let scripts: Promise<string> | null = null;
  const extract = async (): Promise<string> => {
    const dir = await mkdtemp(path.join(workRoot, 'ref-'));
    await run('sh', ['-c', `git -C "$1" archive "$2" loadtest/k6 loadtest/data | tar -x -C "$3"`, 'sh', REPO_DIR, ref, dir]);
    return path.join(dir, 'loadtest', 'k6');
  };
  return {
    id: `k6-arrival@${ref}`,
    label: `k6, our arrival scenario at ${ref}`,
    role: 'variant',
    model: 'open',
    async probe() {
      const ok = await run('git', ['-C', REPO_DIR, 'rev-parse', '--verify', `${ref}^{commit}`]).then(() => true, () => false);
      return ok ? probeK6() : { skip: `${ref}: not a commit of this repository` };
    },
    async command(input) {
      scripts ??= extract();
      return arrivalCommand(input, steps, await scripts);
    },
  };
}

export const k6MinimalEntry: GeneratorEntry = {
  id: 'k6-minimal',
  label: 'k6, minimal script',
  role: 'generator',
  model: 'open',
  probe: probeK6,
  async command(input) {
    const exported = path.join(input.workDir, 'summary.json');
    const address = `127.0.0.1:${await freeLoopbackPort()}`;
    const env = {
      RS_URL: `${input.targetUrl}${REQUEST_PATH}`,
      RS_BODY_FILE: input.bodyFile,
      RS_RATE: String(input.rate!),
      RS_DURATION: `${input.runS}s`,
      RS_VUS: String(poolFor(input.rate!)),
    };
    const base = ['run', '--quiet', '--no-usage-report', '--address', address, '--log-output=stdout', '--log-format=json', path.join(HERE, 'k6-minimal.ts')];
    const args = extend(base, env, ['--summary-export', exported]);
    return { file: await k6Bin(), args, env: QUIET, stopSignal: 'SIGINT', peek: () => peekK6(address), collect: (ctx) => readSummaryExport(exported, ctx) };
  },
};

/** the ladder, each level adding one feature to the one before (k6-variants.ts) */
export const K6_LADDER = ['', 'clock', 'ids', 'payloads', 'tags', 'metrics', 'thresholds', 'checks'] as const;

export function k6VariantEntries(steps: number): GeneratorEntry[] {
  return K6_LADDER.map((feature, i) => {
    const features = K6_LADDER.slice(1, i + 1);
    return {
      id: `k6-variant-${i}${feature ? `-${feature}` : '-base'}`,
      label: feature ? `k6 arrival ladder: + ${feature}` : 'k6 arrival ladder: base (its executor and request params, one fixed body)',
      role: 'variant' as const,
      model: 'open' as const,
      probe: probeK6,
      async command(input: RunInput): Promise<GeneratorCommand> {
        const options = arrivalOptions(input.targetUrl, input.rate!, input.runS, steps);
        const exported = path.join(input.workDir, 'summary.json');
        const address = `127.0.0.1:${await freeLoopbackPort()}`;
        const args = k6Args(options, { script: path.join(HERE, 'k6-variants.ts'), rawSummary: path.join(input.workDir, 'unused.json'), payloads: null, restAddress: address });
        const more = extend(args, { RS_BENCH_FEATURES: features.join(','), RS_BODY_FILE: input.bodyFile }, ['--summary-export', exported]);
        return { file: await k6Bin(), args: more, env: QUIET, stopSignal: 'SIGINT', peek: () => peekK6(address), collect: (ctx) => readSummaryExport(exported, ctx) };
      },
    };
  });
}

