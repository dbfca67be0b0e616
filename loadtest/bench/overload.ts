/**
 * `npm run bench:overload`: what the API (and the stack's balancer in front of it) does just
 * past its limit, and how fast it comes back (issue 20).
 *
 * Method: for each configuration (default 0.25 CPU / 128 MiB and 1 CPU / 256 MiB), the API
 * image pinned to core 1 with those limits and HAProxy (the project's haproxy.cfg) pinned to
 * core 0, on a network this run creates; the pacer (open-model Poisson arrivals, 10 s client
 * timeout, at most 4,000 connections) on core 0, sending to the containers' own addresses. The
 * configuration's capacity is measured first, in the same run: the highest rate of a ladder
 * whose 2 s step keeps p95 <= the objective (200 ms) with <= 1 % errors, direct, after a warm-up. Then for each
 * multiplier (1.5, 3, 10) and each path (direct, balancer): 5 s at half the capacity, 60 s at
 * m x capacity, 20 s at half the capacity, one pacer step per second. Reported per run: goodput
 * during the overload (200s/s, and against the capacity), the share answered 200 / 503 / not at
 * all, p99 (of every request, failed ones at their failure time), requests that waited over 1 s,
 * the API's peak memory and OOM kill, and the seconds from the end of the overload until p99
 * stays under the objective. The pacer's own send lag says whether the offered rate was real.
 *
 *   npm run bench:overload -- [--configs 0.25:128m,1:256m] [--multipliers 1.5,3,10] [--overload 60]
 *                              [--paths direct,balancer] [--api-env MAX_CONNECTIONS=500 --label conns500]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDocker } from '@rightsize/compose/docker';
import { LOADTEST_DIR } from '../src/paths.js';
import { apiMemory, measureCapacity, overloadRun, startTarget, type OverloadRun } from './overload-core.js';

const { values } = parseArgs({
  options: {
    configs: { type: 'string', default: '0.25:128m,1:256m' },
    multipliers: { type: 'string', default: '1.5,3,10' },
    overload: { type: 'string', default: '60' },
    before: { type: 'string', default: '5' },
    after: { type: 'string', default: '20' },
    objective: { type: 'string', default: '200' },
    paths: { type: 'string', default: 'direct,balancer' },
    /** extra API environment, e.g. MAX_CONNECTIONS=500 (a variant; its results go to overload-<label>.{json,md}) */
    'api-env': { type: 'string', default: '' },
    label: { type: 'string', default: '' },
  },
});
const apiEnv = Object.fromEntries(values['api-env']!.split(',').filter(Boolean).map((kv) => kv.split('=') as [string, string]));
const fileBase = values.label ? `overload-${values.label}` : 'overload';
const configs = values.configs!.split(',').map((c) => {
  const [cpus, memory] = c.split(':');
  return { cpus: Number(cpus), memory: memory ?? '256m' };
});
const multipliers = values.multipliers!.split(',').map(Number);
const paths = values.paths!.split(',') as ('direct' | 'balancer')[];
const objectiveMs = Number(values.objective);
const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const rawDir = path.join(LOADTEST_DIR, 'results', `overload-${stamp}`);
const docker = createDocker();
const log = (m: string) => process.stderr.write(`bench:overload: ${m}\n`);

interface ConfigResult {
  cpus: number;
  memory: string;
  capacity: number;
  ladder: number[];
  runs: (OverloadRun & { peak_mib: number | null; oom_killed: boolean })[];
}

/** Rates about 8 % apart from 40 to 8,000 req/s per CPU, rounded to 10. */
function capacityLadder(cpus: number): number[] {
  const rates: number[] = [];
  for (let r = 40 * cpus; r <= 8000 * cpus; r *= 1.08) {
    const rounded = Math.max(10, Math.round(r / 10) * 10);
    if (rates.at(-1) !== rounded) rates.push(rounded);
  }
  return rates;
}

const results: ConfigResult[] = [];
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => (stopping = true));

for (const config of configs) {
  if (stopping) break;
  const owner = `rs-bench-overload-${process.pid}-${String(config.cpus).replace('.', '')}`;
  log(`${config.cpus} CPU / ${config.memory}: starting the API and the balancer`);
  const target = await startTarget({ cpus: config.cpus, memory: config.memory, owner, docker, apiEnv });
  try {
    const ladder = capacityLadder(config.cpus);
    const { capacity } = await measureCapacity({ target: target.direct, ladder, holdS: 2, objectiveMs, outDir: rawDir });
    log(`${config.cpus} CPU: capacity ${capacity} req/s (p95 <= ${objectiveMs} ms, < 1 % errors)`);
    const result: ConfigResult = { ...config, capacity, ladder, runs: [] };
    results.push(result);
    if (capacity === 0) continue;
    for (const multiplier of multipliers) {
      for (const p of paths) {
        if (stopping) break;
        await new Promise((r) => setTimeout(r, 5000)); // idle between runs
        // the high-water mark of this run only (cgroup v1; root)
        await writeFile(`/sys/fs/cgroup/memory/docker/${(await docker.inspect(target.apiId)).Id}/memory.max_usage_in_bytes`, '0').catch(() => undefined);
        log(`${config.cpus} CPU: ${p}, ${multiplier} x ${capacity} = ${Math.round(multiplier * capacity)} req/s for ${values.overload} s`);
        const run = await overloadRun({ target: p === 'direct' ? target.direct : target.balancer, path: p, capacity, multiplier, beforeS: Number(values.before), overloadS: Number(values.overload), afterS: Number(values.after), objectiveMs, outDir: rawDir });
        const memory = await apiMemory(docker, target.apiId);
        result.runs.push({ ...run, ...memory });
        log(`  goodput ${run.overload.goodput}/s, 200 ${(run.overload.share.ok * 100).toFixed(1)} %, 503 ${(run.overload.share.http503 * 100).toFixed(1)} %, none ${(run.overload.share.none * 100).toFixed(1)} %, over 1 s ${run.overload.over_1s}, p99 ${run.overload.p99_ms} ms, recovery ${run.recovery_s ?? 'none'} s, peak ${memory.peak_mib} MiB`);
        if (memory.oom_killed) break;
      }
    }
  } finally {
    await target.stop();
  }
}

const method = `Method: API image (rightsize-api:latest) with --cpus/--memory pinned to core 1, HAProxy (compose/haproxy/haproxy.cfg; LB_SERVER_MAXCONN 64, LB_SERVER_MAXQUEUE 256, LB_QUEUE_TIMEOUT 500ms) pinned to core 0, on a network of the run's own; the pacer (Poisson arrivals, 10 s client timeout, <= 4,000 connections) pinned to core 0, sending to the containers' addresses (no published port). Capacity = highest rate of a ladder (2 s steps, 8 % apart, after 10 s of warm-up) whose step keeps p95 <= ${objectiveMs} ms with <= 1 % errors, direct, measured in the same run. Each run: ${values.before} s at capacity/2, ${values.overload} s at m x capacity, ${values.after} s at capacity/2, one step per second; p99 over every request (a failed one at its failure time); recovery = seconds after the overload until every later second's p99 <= ${objectiveMs} ms. ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`;
await mkdir(path.join(LOADTEST_DIR, 'bench', 'results'), { recursive: true });
const doc = { schema: 'rightsize.bench-overload/v1', method, api_env: apiEnv, objective_ms: objectiveMs, target: { over_1s: 0, goodput_share: 0.8, recovery_s: 5, multiplier: 3 }, configs: results };
await writeFile(path.join(LOADTEST_DIR, 'bench', 'results', `${fileBase}.json`), `${JSON.stringify(doc, null, 2)}\n`);
await writeFile(path.join(LOADTEST_DIR, 'bench', 'results', `${fileBase}.md`), renderOverload(doc));
log(`wrote loadtest/bench/results/${fileBase}.{json,md}; raw pacer results in ${path.relative(process.cwd(), rawDir)}`);

function renderOverload(d: typeof doc): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const env = Object.entries(d.api_env).map(([k, v]) => `${k}=${v}`).join(' ');
  const lines = [`# Overload and recovery (npm run bench:overload${env ? ` -- --api-env ${Object.entries(d.api_env).map(([k, v]) => `${k}=${v}`).join(',')}` : ''})`, '', d.method, ...(env ? ['', `API environment besides the defaults: ${env}.`] : []), '', `Target (issue 20), at 3x for 60 s: no request unanswered for more than 1 s, goodput >= 80 % of capacity, no OOM kill, p99 under ${d.objective_ms} ms within 5 s of the end.`, ''];
  for (const c of d.configs) {
    lines.push(`## ${c.cpus} CPU / ${c.memory}: capacity ${c.capacity} req/s`, '');
    lines.push('| path | offered | goodput (200/s) | of capacity | 200 | 503 | no answer | > 1 s | p99 ms | recovery s | peak MiB | OOM | send lag p99 ms |', '|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of c.runs) {
      lines.push(`| ${r.path} | ${r.multiplier}x = ${r.rate}/s | ${r.overload.goodput} | ${pct(r.overload.goodput / c.capacity)} | ${pct(r.overload.share.ok)} | ${pct(r.overload.share.http503)} | ${pct(r.overload.share.none)} | ${r.overload.over_1s} | ${r.overload.p99_ms} | ${r.recovery_s ?? 'not within the run'} | ${r.peak_mib ?? '?'} | ${r.oom_killed ? 'yes' : 'no'} | ${r.send_lag_p99_ms} |`);
    }
    lines.push('', 'p99 (ms) of each second after the overload:', '');
    for (const r of c.runs) lines.push(`- ${r.path} ${r.multiplier}x: ${r.after_p99_ms.join(', ')}`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
