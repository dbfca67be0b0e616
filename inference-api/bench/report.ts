// The bench's data (validated JSON) and its Markdown rendering. Pure: no I/O here.
import { z } from 'zod';
import { OverloadResultSchema } from './overload.js';

export const WrkResultSchema = z.object({
  requests: z.number(),
  durationUs: z.number(),
  bytes: z.number(),
  errors: z.object({ connect: z.number(), read: z.number(), write: z.number(), status: z.number(), timeout: z.number() }),
  latencyUs: z.object({ mean: z.number(), p50: z.number(), p90: z.number(), p99: z.number(), p999: z.number(), max: z.number() }),
});
export type WrkResult = z.infer<typeof WrkResultSchema>;

const PeakSchema = z.object({
  rps: z.number(),
  p50Ms: z.number(),
  p99Ms: z.number(),
  errors: z.number(),
  cpuUsPerRequest: z.number().describe('server CPU time (user + system, all its processes) per answered request; robust to other load on the machine'),
});
const HalfPeakSchema = z.object({ targetRps: z.number(), rps: z.number(), p50Ms: z.number(), p99Ms: z.number(), p999Ms: z.number(), errors: z.number() });

export const TargetResultSchema = z.object({
  id: z.string(),
  label: z.string(),
  /** Medians over the repeats (each field on its own). */
  peak: PeakSchema,
  halfPeak: HalfPeakSchema,
  runs: z.array(z.object({ peak: PeakSchema, halfPeak: HalfPeakSchema })),
  rssMb: z.number().describe('server RSS after the runs (all processes of the server)'),
  loadAvgBefore: z.number(),
  loadAvgAfter: z.number(),
});
export type TargetResult = z.infer<typeof TargetResultSchema>;

export const BenchReportSchema = z.object({
  schema: z.literal('rightsize.api-bench/v1'),
  startedAt: z.string(),
  complete: z.boolean().describe('false while running or when interrupted: the targets measured so far'),
  method: z.object({
    serverCpu: z.string(),
    generatorCpu: z.string(),
    generator: z.string(),
    connections: z.number(),
    durationS: z.number(),
    warmupS: z.number(),
    repeats: z.number(),
    body: z.string(),
    halfPeak: z.string(),
  }),
  machine: z.object({
    cpus: z.number(),
    cpuModel: z.string(),
    memTotalMb: z.number(),
    node: z.string(),
    loadAvgStart: z.array(z.number()),
    busiestOtherProcesses: z.array(z.string()).describe('top CPU consumers not started by the bench, at the start'),
  }),
  targets: z.array(TargetResultSchema),
  overload: z.array(OverloadResultSchema),
  verdicts: z.array(z.object({ target: z.string(), value: z.string(), met: z.boolean() })),
  notes: z.array(z.string()),
});
export type BenchReport = z.infer<typeof BenchReportSchema>;

const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Field-wise medians of a list of objects with numeric fields. */
export function medianOf<T extends Record<string, number>>(items: T[]): T {
  const keys = Object.keys(items[0]!) as (keyof T)[];
  return Object.fromEntries(keys.map((k) => [k, median(items.map((i) => i[k] as number))])) as T;
}

/** Targets from the issue, evaluated on the measured data. */
export function verdicts(targets: TargetResult[]): BenchReport['verdicts'] {
  const by = (id: string) => targets.find((t) => t.id === id);
  const out: BenchReport['verdicts'] = [];
  const bare = by('bare-inference');
  const mlflow = by('mlflow-serve');
  for (const id of ['predict-single', 'predict-batched']) {
    const t = by(id);
    if (!t) continue;
    if (bare) {
      out.push({ target: `${id} >= 0.6 x bare node:http + session.run (peak req/s)`, value: `${(t.peak.rps / bare.peak.rps).toFixed(2)} x`, met: t.peak.rps >= 0.6 * bare.peak.rps });
      const cpuRatio = bare.peak.cpuUsPerRequest / t.peak.cpuUsPerRequest;
      out.push({ target: `${id} >= 0.6 x bare node:http + session.run (CPU per request)`, value: `${cpuRatio.toFixed(2)} x`, met: cpuRatio >= 0.6 });
    }
    if (mlflow) out.push({ target: `${id} >= 10 x mlflow models serve (1 worker)`, value: `${(t.peak.rps / mlflow.peak.rps).toFixed(1)} x`, met: t.peak.rps >= 10 * mlflow.peak.rps });
    out.push({ target: `${id} p99 < 5 ms at half the peak rate`, value: `${ms(t.halfPeak.p99Ms)} ms at ${Math.round(t.halfPeak.rps)} req/s`, met: t.halfPeak.p99Ms < 5 });
    out.push({ target: `${id} RSS < 150 MB`, value: `${t.rssMb.toFixed(0)} MB`, met: t.rssMb < 150 });
  }
  return out;
}

export function renderMarkdown(r: BenchReport): string {
  const m = r.method;
  const lines = [
    `# /predict benchmark (${r.startedAt})${r.complete ? '' : ' - INCOMPLETE (interrupted or still running)'}`,
    '',
    `Method: server pinned to ${m.serverCpu}, ${m.generator} pinned to ${m.generatorCpu}; ${m.connections} connections, ${m.warmupS} s warm-up then ${m.repeats} x (peak run + half-peak run) of ${m.durationS} s each, medians shown; ` +
      `body: ${m.body}. Peak = wrk back to back (closed loop). Half peak: ${m.halfPeak}. ` +
      `Machine: ${r.machine.cpus} x ${r.machine.cpuModel}, ${r.machine.memTotalMb} MB, Node ${r.machine.node}, load average at start ${r.machine.loadAvgStart.map((l) => l.toFixed(2)).join(' / ')}` +
      (r.machine.busiestOtherProcesses.length ? `; other busy processes: ${r.machine.busiestOtherProcesses.join('; ')}` : '') +
      '. Preliminary: the machine is shared with other builds and tests.',
    '',
    '| server | peak req/s | CPU us/req | p50 ms | p99 ms | half-peak req/s | p50 ms | p99 ms | p99.9 ms | RSS MB | errors | load avg before/after |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...r.targets.map(
      (t) =>
        `| ${t.label} | ${Math.round(t.peak.rps)} | ${Math.round(t.peak.cpuUsPerRequest)} | ${ms(t.peak.p50Ms)} | ${ms(t.peak.p99Ms)} | ${Math.round(t.halfPeak.rps)} | ${ms(t.halfPeak.p50Ms)} | ${ms(t.halfPeak.p99Ms)} | ${ms(t.halfPeak.p999Ms)} | ${t.rssMb.toFixed(0)} | ${t.peak.errors + t.halfPeak.errors} | ${t.loadAvgBefore.toFixed(2)} / ${t.loadAvgAfter.toFixed(2)} |`,
    ),
    '',
    '| target | measured | met |',
    '|---|---|---|',
    ...r.verdicts.map((v) => `| ${v.target} | ${v.value} | ${v.met ? 'yes' : 'no'} |`),
  ];
  if (r.overload.length) {
    lines.push(
      '',
      `Overload: /predict (micro-batching on) with far more closed-loop wrk connections than MAX_INFLIGHT, each retrying a 503 at once; admitted-request latency is server side (from /metrics).`,
      '',
      '| MAX_INFLIGHT | connections | answers/s | goodput (200/s) | 503/s | admitted mean ms | admitted p99 ms (bucket) | event-loop lag p99 ms | wrk timeouts |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...r.overload.map(
        (o) =>
          `| ${o.maxInflight} | ${o.connections} | ${Math.round(o.offeredRps)} | ${Math.round(o.goodputRps)} | ${Math.round(o.rejectedRps)} | ${ms(o.admittedMeanMs)} | ${ms(o.admittedP99Ms)} | ${ms(o.eventLoopLagP99Ms)} | ${o.wrkTimeouts} |`,
      ),
    );
  }
  if (r.notes.length) lines.push('', ...r.notes.map((n) => `- ${n}`));
  return `${lines.join('\n')}\n`;
}
