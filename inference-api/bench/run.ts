// `npm run bench:api`: throughput and latency of /predict next to a bare node:http server doing
// the same inference (the ceiling), a constant-JSON node:http server (the HTTP floor) and
// `mlflow models serve` with one worker, in one run. Server on one CPU, wrk on the other
// (taskset). Writes bench/results/api-bench.json (data) and api-bench.md (its rendering).
//
//   npm run bench:api [-- --duration 10 --warmup 3 --repeat 3 --connections 64 --only predict-single,bare-inference]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BenchReportSchema, medianOf, renderMarkdown, verdicts, type BenchReport, type TargetResult } from './report.js';
import { runOverload, type OverloadResult } from './overload.js';
import { DEFAULT_MODEL_DIR, TARGETS, VENV_BIN, api, groupCpuSeconds, groupRssMb } from './targets.js';
import { runWrk } from './wrk.js';
import type { WrkResult } from './report.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    repeat: { type: 'string', default: '3' },
    connections: { type: 'string', default: '64' },
    only: { type: 'string' },
    'overload-connections': { type: 'string', default: '512' },
    out: { type: 'string', default: fileURLToPath(new URL('./results', import.meta.url)) },
  },
});
const durationS = Number(values.duration);
const warmupS = Number(values.warmup);
const connections = Number(values.connections);
const repeats = Number(values.repeat);
if (![durationS, warmupS, connections, repeats].every((n) => Number.isFinite(n) && n > 0)) {
  console.error('bench:api: --duration, --warmup, --repeat and --connections must be positive numbers');
  process.exit(2);
}
for (const tool of ['wrk', 'taskset']) {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
  } catch {
    console.error(`bench:api: ${tool} is not installed (apt-get install -y ${tool === 'wrk' ? 'wrk' : 'util-linux'})`);
    process.exit(2);
  }
}
const nCpu = cpus().length;
const [serverCpu, generatorCpu] = nCpu >= 2 ? ['0', '1'] : ['0', '0'];
const notes: string[] = [
  'Our API runs compiled (node inference-api/dist/server.js, as in the image, heap-limited worker, young generation 12 MB); the two bare servers run through tsx, whose loader stays in their RSS.',
  'RSS is read after the runs, summed over the server\'s process group (uvicorn included for MLflow).',
];
if (nCpu < 2) notes.push('Only one CPU: server and generator share it; numbers are not comparable with two-CPU runs.');

const only = values.only?.split(',').map((s) => s.trim());
const targets = TARGETS.filter((t) => !only || only.includes(t.id)).filter((t) => {
  if (t.id === 'mlflow-serve' && !existsSync(join(VENV_BIN, 'mlflow'))) {
    notes.push('mlflow models serve skipped: model/.venv is missing (npm run model:venv).');
    return false;
  }
  return true;
});

const work = mkdtempSync(join(tmpdir(), 'rs-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const golden = JSON.parse(readFileSync(join(DEFAULT_MODEL_DIR, '../../golden/breast-cancer-gbt.json'), 'utf8')) as { rows: Record<string, number>[] };
const bodies = { row: join(work, 'row.json'), 'mlflow-records': join(work, 'records.json') };
writeFileSync(bodies.row, JSON.stringify(golden.rows[0]));
writeFileSync(bodies['mlflow-records'], JSON.stringify({ dataframe_records: [golden.rows[0]] }));

function busiestOthers(): string[] {
  try {
    const out = execFileSync('ps', ['-eo', 'pcpu,pid,comm', '--sort=-pcpu', '--no-headers'], { encoding: 'utf8' });
    return out.split('\n').map((l) => l.trim()).filter(Boolean).filter((l) => Number(l.split(/\s+/)[0]) >= 5 && !l.includes(' ps')).slice(0, 3).map((l) => {
      const [pcpu, pid, comm] = l.split(/\s+/);
      return `${comm} (pid ${pid}) ${pcpu}% CPU`;
    });
  } catch {
    return [];
  }
}

// The API runs compiled, as in the image.
process.stderr.write('bench:api: building inference-api/dist ...\n');
execFileSync(process.execPath, [fileURLToPath(import.meta.resolve('typescript/bin/tsc')), '-p', fileURLToPath(new URL('../tsconfig.build.json', import.meta.url))], { stdio: 'inherit' });

const startedAt = new Date().toISOString();
const machine: BenchReport['machine'] = {
  cpus: nCpu,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memTotalMb: Math.round(totalmem() / 2 ** 20),
  node: process.version,
  loadAvgStart: loadavg(),
  busiestOtherProcesses: busiestOthers(),
};
const results: TargetResult[] = [];
const overload: OverloadResult[] = [];
const method = {
  serverCpu: `CPU ${serverCpu}`,
  generatorCpu: `CPU ${generatorCpu}`,
  generator: 'wrk 1 thread',
  connections,
  durationS,
  warmupS,
  repeats,
  body: 'one held-out row of the default model (30 features, ~880 bytes JSON); MLflow targets get it as {"dataframe_records": [row]}',
  halfPeak: 'the same connections with exponential think times so the offered rate is half the measured peak (wrk delay(); closed loop, coordinated omission is small below saturation)',
};
mkdirSync(values.out!, { recursive: true });
const jsonFile = join(values.out!, 'api-bench.json');
const mdFile = join(values.out!, 'api-bench.md');
/** Written after every target, so an interrupted run keeps what it measured. */
function save(complete: boolean): BenchReport {
  const report = BenchReportSchema.parse({
    schema: 'rightsize.api-bench/v1',
    startedAt,
    complete,
    method,
    machine,
    targets: results,
    overload,
    verdicts: verdicts(results),
    notes,
  });
  writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(mdFile, renderMarkdown(report));
  return report;
}
let current: { stop(): Promise<void> } | null = null;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench:api: ${signal}: stopping the server under test; ${jsonFile} keeps the ${results.length} target(s) measured\n`);
    void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

for (const target of targets) {
  process.stderr.write(`bench:api: ${target.label} ... `);
  const loadAvgBefore = loadavg()[0]!;
  const server = await target.start(serverCpu);
  current = server;
  try {
    const url = `${server.url}${target.path}`;
    const bodyFile = bodies[target.body];
    await runWrk({ url, cpu: generatorCpu, connections, durationS: warmupS, bodyFile });
    const errors = (w: WrkResult) => w.errors.connect + w.errors.read + w.errors.write + w.errors.status + w.errors.timeout;
    const runs: TargetResult['runs'] = [];
    for (let i = 0; i < repeats; i++) {
      const cpuBefore = groupCpuSeconds(server.pgid);
      const peak = await runWrk({ url, cpu: generatorCpu, connections, durationS, bodyFile });
      const cpuUsPerRequest = ((groupCpuSeconds(server.pgid) - cpuBefore) * 1e6) / Math.max(peak.requests, 1);
      const peakRps = peak.requests / (peak.durationUs / 1e6);
      const targetRps = peakRps / 2;
      const half = await runWrk({ url, cpu: generatorCpu, connections, durationS, bodyFile, ratePerConnection: targetRps / connections });
      runs.push({
        peak: { rps: peakRps, p50Ms: peak.latencyUs.p50 / 1000, p99Ms: peak.latencyUs.p99 / 1000, errors: errors(peak), cpuUsPerRequest },
        halfPeak: {
          targetRps,
          rps: half.requests / (half.durationUs / 1e6),
          p50Ms: half.latencyUs.p50 / 1000,
          p99Ms: half.latencyUs.p99 / 1000,
          p999Ms: half.latencyUs.p999 / 1000,
          errors: errors(half),
        },
      });
    }
    const rssMb = groupRssMb(server.pgid);
    const peakRps = medianOf(runs.map((r) => r.peak)).rps;
    results.push({
      id: target.id,
      label: target.label,
      peak: medianOf(runs.map((r) => r.peak)),
      halfPeak: medianOf(runs.map((r) => r.halfPeak)),
      runs,
      rssMb,
      loadAvgBefore,
      loadAvgAfter: loadavg()[0]!,
    });
    process.stderr.write(`${Math.round(peakRps)} req/s\n`);
  } finally {
    await server.stop();
    current = null;
  }
  save(false);
}

if (!only || only.includes('overload')) {
  for (const maxInflight of ['256', '32']) {
    process.stderr.write(`bench:api: overload, MAX_INFLIGHT=${maxInflight} ... `);
    const target = api('overload', 'overload', '/predict', 'row', { MICRO_BATCHING: 'on', MAX_INFLIGHT: maxInflight });
    const result = await runOverload({ target, serverCpu, generatorCpu, connections: Number(values['overload-connections']), durationS, bodyFile: bodies.row, track: (s) => (current = s) });
    overload.push(result);
    process.stderr.write(`goodput ${Math.round(result.goodputRps)} req/s\n`);
    save(false);
  }
}

const report = save(true);
process.stdout.write(renderMarkdown(report));
process.stderr.write(`bench:api: wrote ${jsonFile} and ${mdFile}\n`);
