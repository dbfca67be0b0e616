// `npm run bench:api-cost`: what one /predict costs where sizing happens, inside the container,
// at the rates users send. The API image runs with --cpus 1 --memory 256m pinned to CPU 0; an
// open-model constant rate (vegeta, pinned to CPU 1) offers 300, 1,000 and 3,000 req/s, then wrk
// saturates it with 64 connections. CPU per request is the container's cgroup CPU time over the
// requests answered; memory is the cgroup's. Variants: the image as shipped, micro-batching off,
// the heap-limited worker off (server on the main thread), a bare node:http floor in the same
// image (parse the body, answer constant JSON), and the image behind the compose stack's HAProxy.
// Writes bench/results/api-cost.json (data) and api-cost.md (its rendering).
//
//   npm run bench:api-cost [-- --duration 10 --rates 300,1000,3000 --only api,floor --name api-cost]
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_DIR, DEFAULT_IMAGE, REPO, findVegeta, freePort, run, waitReady, writeTargets } from './container-bench.js';
import { runWrk } from './wrk.js';

const { values } = parseArgs({
  options: {
    image: { type: 'string', default: DEFAULT_IMAGE },
    duration: { type: 'string', default: '10' },
    rates: { type: 'string', default: '300,1000,3000' },
    only: { type: 'string' },
    out: { type: 'string', default: path.join(BENCH_DIR, 'results') },
    /** file name (without .json/.md): keep a before/after pair side by side */
    name: { type: 'string', default: 'api-cost' },
    /** extra API environment for the direct API targets, e.g. --env HEAP_YOUNG_MB=32 (repeatable); behind HAProxy it reaches the API only where compose/docker-compose.yml passes API_<NAME> */
    env: { type: 'string', multiple: true, default: [] },
  },
});
const durationS = Number(values.duration);
const rates = values.rates.split(',').map(Number);
if (!(durationS > 0) || !rates.every((r) => Number.isInteger(r) && r > 0)) {
  console.error('bench:api-cost: --duration must be > 0 and --rates whole numbers > 0, e.g. --rates 300,1000,3000');
  process.exit(2);
}
const OWNER = `bench-api-cost-${process.pid}`;
const EXTRA_ENV = Object.fromEntries((values.env as string[]).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));

const VEGETA = findVegeta('bench:api-cost');
for (const tool of ['wrk', 'taskset', 'docker']) {
  try {
    await run('which', [tool]);
  } catch {
    console.error(`bench:api-cost: ${tool} is not installed`);
    process.exit(2);
  }
}
if ((await run('docker', ['image', 'inspect', values.image]).catch(() => null)) === null) {
  console.error(`bench:api-cost: image ${values.image} is not present: npm run images -- --offline`);
  process.exit(2);
}

interface Target {
  id: string;
  what: string;
  /** starts it; resolves to the base URL and the container whose cgroup is measured */
  start(): Promise<{ url: string; container: string; stop: () => Promise<void> }>;
}

const LIMITS = ['--cpus', '1', '--memory', '256m', '--cpuset-cpus', '0'];
const FLOOR_JS = `const http=require('node:http');const body=JSON.stringify({label:'malignant',probabilities:{benign:0.0006301999092102051,malignant:0.9993698000907898}});http.createServer((q,s)=>{const c=[];q.on('data',(d)=>c.push(d));q.on('end',()=>{if(q.method==='POST')JSON.parse(Buffer.concat(c).toString());s.writeHead(200,{'content-type':'application/json','content-length':Buffer.byteLength(body)});s.end(body);});}).listen(+process.env.PORT,'127.0.0.1');process.on('SIGTERM',()=>process.exit(0));`;

/** One container on the host network (no proxy between the generator and the server), pinned and limited like a sized replica. */
function direct(id: string, what: string, env: Record<string, string>, floor = false): Target {
  return {
    id,
    what,
    async start() {
      const port = await freePort();
      const envArgs = Object.entries({ HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...(floor ? {} : EXTRA_ENV), ...env }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
      const args = ['run', '-d', '--network', 'host', '--label', `io.rightsize.owner=${OWNER}`, ...LIMITS, ...envArgs];
      const { stdout } = await run('docker', floor ? [...args, '--entrypoint', 'node', values.image, '-e', FLOOR_JS] : [...args, values.image]);
      const container = stdout.trim();
      const url = `http://127.0.0.1:${port}`;
      await waitReady(`${url}${floor ? '/' : '/health/ready'}`);
      return { url, container, stop: async () => void (await run('docker', ['rm', '-f', container]).catch(() => undefined)) };
    },
  };
}

/** The compose stack (HAProxy in front of one replica), the API pinned to CPU 0 and HAProxy to CPU 1 with the generator. */
const balanced: Target = {
  id: 'api-via-haproxy',
  what: 'the image as shipped, behind the compose stack\'s HAProxy (on CPU 1 with the generator; reached on its container address)',
  async start() {
    const port = await freePort();
    const stats = await freePort();
    const project = `rs-${OWNER}`;
    const env = { ...process.env, ...Object.fromEntries(Object.entries(EXTRA_ENV).map(([k, v]) => [`API_${k}`, v])), COMPOSE_PROJECT_NAME: project, API_IMAGE: values.image, API_CPUS: '1', API_MEMORY: '256M', API_REPLICAS: '1', API_LOG_LEVEL: 'warn', RIGHTSIZE_PORT: String(port), RIGHTSIZE_STATS_PORT: String(stats), RIGHTSIZE_OWNER: OWNER };
    const compose = ['compose', '-f', path.join(REPO, 'compose', 'docker-compose.yml'), '-p', project];
    await run('docker', [...compose, 'up', '-d', '--wait', 'api', 'lb'], { env, timeout: 180_000 });
    const api = (await run('docker', [...compose, 'ps', '-q', 'api'], { env })).stdout.trim();
    const lb = (await run('docker', [...compose, 'ps', '-q', 'lb'], { env })).stdout.trim();
    await run('docker', ['update', '--cpuset-cpus', '0', api]);
    await run('docker', ['update', '--cpuset-cpus', '1', lb]);
    // HAProxy's own address on the stack's network, not the published port: Docker's userland
    // proxy behind a published port gives out near 3,000 req/s here (issue 20) and would be measured instead
    const ip = (await run('docker', ['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', lb])).stdout.trim().split(' ')[0];
    const url = `http://${ip}:8080`;
    await waitReady(`${url}/health/ready`);
    return { url, container: api, stop: async () => void (await run('docker', [...compose, 'down', '-v', '--timeout', '5'], { env }).catch(() => undefined)) };
  },
};

const TARGETS: Target[] = [
  direct('api', 'the image as shipped (micro-batching on, server in a heap-limited worker)', {}),
  direct('api-no-batching', 'MICRO_BATCHING=false', { MICRO_BATCHING: 'false' }),
  direct('api-no-worker', 'HEAP_LIMIT_MB=off: the server on the main thread, V8 default heap', { HEAP_LIMIT_MB: 'off' }),
  direct('floor', 'bare node:http in the same image: read and parse the body, answer constant JSON', {}, true),
  balanced,
];

/** The container's CPU time (ns) and memory (bytes now, peak) from its cgroup, v1 (cgroupfs or systemd driver) or v2. */
async function cgroup(id: string): Promise<{ cpuNs: number; memBytes: number; peakBytes: number }> {
  const v1 = (c: string) => [`/sys/fs/cgroup/${c}/docker/${id}`, `/sys/fs/cgroup/${c}/system.slice/docker-${id}.scope`];
  const first = (dirs: string[]) => dirs.find((d) => existsSync(d));
  const cpuacct = first([...v1('cpuacct'), ...v1('cpu,cpuacct')]);
  const memory = first(v1('memory'));
  const num = async (f: string) => Number((await readFile(f, 'utf8')).trim());
  if (cpuacct && memory) {
    return { cpuNs: await num(`${cpuacct}/cpuacct.usage`), memBytes: await num(`${memory}/memory.usage_in_bytes`), peakBytes: await num(`${memory}/memory.max_usage_in_bytes`) };
  }
  const v2 = first([`/sys/fs/cgroup/system.slice/docker-${id}.scope`, `/sys/fs/cgroup/docker/${id}`]);
  if (!v2) throw new Error(`no cgroup found for container ${id}`);
  const usec = Number(/usage_usec (\d+)/.exec(await readFile(`${v2}/cpu.stat`, 'utf8'))?.[1]);
  const peak = existsSync(`${v2}/memory.peak`) ? await num(`${v2}/memory.peak`) : NaN;
  return { cpuNs: usec * 1000, memBytes: await num(`${v2}/memory.current`), peakBytes: peak };
}

interface Measurement {
  target: string;
  /** offered req/s; null = saturation (wrk, 64 connections back to back) */
  rate: number | null;
  requests: number;
  achieved_rps: number;
  ok_ratio: number;
  p50_ms: number;
  p99_ms: number;
  cpu_us_per_request: number;
  cpu_pct_of_one_core: number;
  mem_mib: number;
  /** the container's peak memory over all its rates (cgroup max usage) */
  peak_mib: number | null;
}

async function vegeta(url: string, rate: number, seconds: number, work: string): Promise<{ requests: number; ok: number; p50Ns: number; p99Ns: number; throughput: number }> {
  const targets = await writeTargets(work, url);
  const bin = path.join(work, 'attack.bin');
  await run('taskset', ['-c', cpus().length > 1 ? '1' : '0', VEGETA, 'attack', `-rate=${rate}/1s`, `-duration=${seconds}s`, '-timeout=10s', `-targets=${targets}`, `-output=${bin}`], { timeout: (seconds + 30) * 1000 });
  const report = JSON.parse((await run(VEGETA, ['report', '-type=json', bin])).stdout) as { requests: number; success: number; throughput: number; latencies: Record<string, number> };
  return { requests: report.requests, ok: Math.round(report.success * report.requests), p50Ns: report.latencies['50th'] ?? NaN, p99Ns: report.latencies['99th'] ?? NaN, throughput: report.throughput };
}

async function measure(target: Target, work: string): Promise<Measurement[]> {
  const started = await target.start();
  const out: Measurement[] = [];
  try {
    // warm-up: V8 optimizes the hot paths only after thousands of calls; 3 s at 300 req/s left
    // the first measured rate paying for it (and varying by 50 % between runs)
    await vegeta(started.url, 1000, 8, work);
    for (const rate of [...rates, null]) {
      const before = await cgroup(started.container);
      const t0 = process.hrtime.bigint();
      let r: { requests: number; ok: number; p50Ms: number; p99Ms: number; rps: number };
      if (rate === null) {
        const w = await runWrk({ url: `${started.url}/predict`, cpu: cpus().length > 1 ? '1' : '0', connections: 64, durationS, bodyFile: path.join(work, 'body.json') });
        const errors = w.errors.connect + w.errors.read + w.errors.write + w.errors.status + w.errors.timeout;
        r = { requests: w.requests, ok: w.requests - errors, p50Ms: w.latencyUs.p50 / 1000, p99Ms: w.latencyUs.p99 / 1000, rps: w.requests / (w.durationUs / 1e6) };
      } else {
        const v = await vegeta(started.url, rate, durationS, work);
        r = { requests: v.requests, ok: v.ok, p50Ms: v.p50Ns / 1e6, p99Ms: v.p99Ns / 1e6, rps: v.throughput };
      }
      const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
      const after = await cgroup(started.container);
      const cpuUs = (after.cpuNs - before.cpuNs) / 1000;
      const m: Measurement = {
        target: target.id,
        rate,
        requests: r.requests,
        achieved_rps: round(r.rps, 1),
        ok_ratio: round(r.ok / Math.max(1, r.requests), 4),
        p50_ms: round(r.p50Ms, 2),
        p99_ms: round(r.p99Ms, 2),
        cpu_us_per_request: round(cpuUs / Math.max(1, r.ok), 1),
        cpu_pct_of_one_core: round((cpuUs / 1e6 / wallS) * 100, 1),
        mem_mib: round(after.memBytes / 2 ** 20, 1),
        peak_mib: null,
      };
      out.push(m);
      console.log(`${target.id.padEnd(16)} ${String(rate ?? 'max').padStart(5)} req/s: ${m.achieved_rps} answered/s, ok ${m.ok_ratio}, p50 ${m.p50_ms} ms, p99 ${m.p99_ms} ms, ${m.cpu_us_per_request} µs CPU/request, ${m.mem_mib} MiB`);
    }
    const peak = (await cgroup(started.container)).peakBytes;
    for (const m of out) m.peak_mib = round(peak / 2 ** 20, 1);
  } finally {
    await started.stop();
  }
  return out;
}

const round = (v: number, digits: number) => (Number.isFinite(v) ? Math.round(v * 10 ** digits) / 10 ** digits : v);

function renderMarkdown(report: { method: string; machine: Record<string, unknown>; targets: { id: string; what: string }[]; results: Measurement[] }): string {
  const floor = new Map(report.results.filter((m) => m.target === 'floor').map((m) => [String(m.rate), m.cpu_us_per_request]));
  const rows = report.results.map((m) => {
    const f = floor.get(String(m.rate));
    return `| ${m.target} | ${m.rate ?? 'saturated (wrk, 64 conn.)'} | ${m.achieved_rps} | ${m.ok_ratio} | ${m.p50_ms} | ${m.p99_ms} | ${m.cpu_us_per_request} | ${f ? round(m.cpu_us_per_request / f, 2) : ''} | ${m.cpu_pct_of_one_core} | ${m.mem_mib} | ${m.peak_mib ?? ''} |`;
  });
  return [
    '# API CPU per request inside its container (`npm run bench:api-cost`)',
    '',
    `Method: ${report.method}`,
    '',
    `Machine: ${JSON.stringify(report.machine)}`,
    '',
    ...report.targets.map((t) => `- \`${t.id}\`: ${t.what}`),
    '',
    '| target | offered req/s | answered/s | ok ratio | p50 ms | p99 ms | CPU µs / request | x floor | CPU % of 1 core | memory MiB | peak MiB |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

const work = await mkdtemp(path.join(tmpdir(), 'rs-api-cost-'));
try {
  const only = values.only?.split(',').map((s) => s.trim());
  const chosen = TARGETS.filter((t) => !only || only.includes(t.id));
  const results: Measurement[] = [];
  const save = async () => {
    const report = {
      schema: 'rightsize.api-cost-bench/v1',
      created_at: new Date().toISOString(),
      method: `${values.image}${(values.env as string[]).length ? ` with ${(values.env as string[]).join(' ')}` : ''}, --cpus 1 --memory 256m --cpuset-cpus 0 (host network, or behind the compose stack's HAProxy on CPU 1); vegeta 12.13 open-model constant rate (pinned to CPU 1, keep-alive) for ${durationS} s per rate after an 8 s warm-up at 1,000 req/s, then wrk -t1 -c64 for ${durationS} s; one POST /predict body (one held-out row); CPU per request = container cgroup CPU time / requests answered; memory = cgroup usage after each rate.`,
      machine: { cpus: cpus().length, mem_mib: Math.round(totalmem() / 2 ** 20), loadavg_1m_at_end: round(loadavg()[0] ?? 0, 2), node: process.version },
      targets: chosen.map((t) => ({ id: t.id, what: t.what })),
      results,
    };
    await mkdir(values.out, { recursive: true });
    await writeFile(path.join(values.out, `${values.name}.json`), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(path.join(values.out, `${values.name}.md`), renderMarkdown(report));
  };
  // rewritten after every target: an interrupted run keeps what it measured
  for (const target of chosen) {
    results.push(...(await measure(target, work)));
    await save();
  }
  console.log(`\nwrote ${path.relative(process.cwd(), path.join(values.out, `${values.name}.md`))} and ${values.name}.json`);
} finally {
  await rm(work, { recursive: true, force: true });
  const left = (await run('docker', ['ps', '-aq', '--filter', `label=io.rightsize.owner=${OWNER}`])).stdout.split('\n').filter(Boolean);
  if (left.length) await run('docker', ['rm', '-f', ...left]).catch(() => undefined);
}

