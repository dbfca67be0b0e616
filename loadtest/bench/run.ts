/**
 * `npm run bench:load`: how much load one generator sustains on this machine.
 *
 * Method: a constant-response target pinned to core 0 (HAProxy `http-request return`, or a bare
 * node:http server without HAProxy; bench/target.ts); the generator
 * (k6 in its container, or a local binary/Locust) pinned to the other core with 1 CPU. For each
 * user count N, one step of the workshop's closed model (ramp, then hold; think time uniform in
 * [1, 2.5] s) through the real runner, so CPU (% of the generator's one core), memory and
 * achieved vs expected rate are measured exactly as every load run measures them. Then the
 * same generator with zero think time (its maximum req/s). Each point runs N users, then N+1:
 * the first step ramps and warms up, the second (steady state) is what is reported. Memory per user and CPU per user
 * are fitted over the points; 10,000 users are run for real when the fit says they fit in
 * memory, then (k6) the open-model equivalent: the rate those users would offer.
 *
 *   npm run bench:load -- [--engines k6,locust] [--users 100,500,1000,2000] [--hold 30] [--try 10000]
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runLoad } from '../src/runner.js';
import { LOADTEST_DIR } from '../src/paths.js';
import { fitLine, solveFor } from './fit.js';
import { machineState } from './machine.js';
import { renderBench, type BenchPoint, type BenchResult } from './render.js';
import { startTarget } from './target.js';

const { values } = parseArgs({
  options: {
    engines: { type: 'string', default: 'k6,locust' },
    users: { type: 'string', default: '100,500,1000,2000' },
    hold: { type: 'string', default: '30' },
    ramp: { type: 'string', default: '10' },
    /** closed-model users run for real (the target holds at most ~9,995 connections here) */
    try: { type: 'string', default: '9000' },
    /** users whose arrival rate the open-model point offers */
    'open-users': { type: 'string', default: '10000' },
    runtime: { type: 'string', default: 'auto' },
    'max-vus': { type: 'string', default: '64' },
  },
});
const engines = values.engines!.split(',') as ('k6' | 'locust')[];
const userPoints = values.users!.split(',').map(Number);
const holdS = Number(values.hold);
const rampS = Number(values.ramp);
const tryUsers = Number(values.try);
const runtime = values.runtime as 'auto' | 'local' | 'docker';
const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const rawDir = path.join(LOADTEST_DIR, 'results', `bench-${stamp}`);
// Ctrl-C / SIGTERM: stop the current run cleanly (the engine writes what it measured), then stop
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop.abort());

/** One point; a point that fails is reported and skipped, the benchmark goes on. */
async function measure(engine: 'k6' | 'locust', target: string, users: number, thinkS: [number, number], label: BenchPoint['label']): Promise<BenchPoint[]> {
  try {
    return [await measureOnce(engine, target, users, thinkS, label)];
  } catch (err) {
    process.stderr.write(`failed: ${(err as Error).message.split('\n')[0]}\n`);
    return [];
  }
}

async function measureOnce(engine: 'k6' | 'locust', target: string, users: number, thinkS: [number, number], label: BenchPoint['label']): Promise<BenchPoint> {
  const before = await machineState();
  process.stderr.write(`${engine} ${label}: ${users} users, think ${thinkS.join('-')} s, ramp ${rampS} s, hold ${holdS} s ... `);
  const { summary } = await runLoad({
    engine,
    // 'open': the same users as arrival rates (users / 1.75 s), VUs sized for 0.2 s of latency each
    scenario: label === 'open' ? 'arrival' : 'steps',
    vuBudgetS: 0.2,
    target,
    // two steps, N then N+1 users: the first ramps up and warms up, the second is steady state
    schedule: { startUsers: users, maxUsers: users + 1, stepUsers: 1, rampS: users >= 5000 ? 2 * rampS : rampS, holdS, thinkMinS: thinkS[0], thinkMaxS: thinkS[1] },
    // the generator alone on core 1 with one CPU; memory generous so it never limits the measurement
    generator: { runtime, cpus: 1, cpuset: '1', memory: '16g' },
    checkEvery: 0,
    // measuring, not judging: never abort on the objective
    objective: { p95Ms: null, p99Ms: null, maxErrorRate: 1 },
    graceS: 120,
    outDir: path.join(rawDir, `${engine}-${label}-${users}`),
  }, { signal: stop.signal });
  const step = summary.steps[1] ?? summary.steps[0]!;
  const point: BenchPoint = {
    engine,
    engineVersion: summary.engine_version,
    label,
    users,
    thinkS,
    rps: step.rps,
    expectedRps: step.offered_rps,
    achievedRatio: step.offered_rps ? Math.round((step.rps / step.offered_rps) * 1000) / 1000 : null,
    p50Ms: step.latency_ms.p50,
    p95Ms: step.latency_ms.p95,
    errors: step.errors.total,
    cpuPctAvg: step.generator.cpu_pct_avg,
    cpuPctMax: step.generator.cpu_pct_max,
    cpuWaitPct: step.generator.cpu_wait_pct ?? null,
    memMbMax: step.generator.mem_mb_max,
    valid: step.generator.valid,
    reasons: step.generator.reasons,
    loadavgBefore: before.loadavg,
    otherContainers: before.otherContainers,
  };
  process.stderr.write(`${point.rps} req/s, cpu ${point.cpuPctAvg}%, mem ${point.memMbMax} MB\n`);
  return point;
}

async function main(): Promise<void> {
  await mkdir(rawDir, { recursive: true });
  const machine = await machineState();
  // local generators inherit our affinity: core 1 (the target gets core 0 explicitly)
  await new Promise((resolve) => spawn('taskset', ['-pc', '1', String(process.pid)], { stdio: 'ignore' }).on('close', resolve));
  const target = await startTarget(rawDir);
  process.stderr.write(`target: ${target.kind} on ${target.url} (core 0, ${target.maxConnections ?? 'unbounded'} connections)\n`);
  if (target.maxConnections !== null && tryUsers + 1 > target.maxConnections) {
    target.stop();
    throw new Error(`--try ${tryUsers}: the target holds at most ${target.maxConnections} connections (file limit); use --try ${target.maxConnections - 1} or less`);
  }
  const points: BenchPoint[] = [];
  const fits: BenchResult['fits'] = [];
  try {
    for (const engine of engines) {
      for (const users of userPoints) if (!stop.signal.aborted) points.push(...await measure(engine, target.url, users, [1, 2.5], 'think'));
      if (stop.signal.aborted) break;
      const mine = points.filter((p) => p.engine === engine && p.label === 'think' && p.memMbMax !== null && p.cpuPctAvg !== null);
      const mem = fitLine(mine.map((p) => ({ x: p.users, y: p.memMbMax! })));
      const cpu = fitLine(mine.map((p) => ({ x: p.users, y: p.cpuPctAvg! })));
      const usersAt80 = cpu ? solveFor(cpu, 80) : null;
      const memAtTry = mem ? mem.intercept + mem.slope * tryUsers : null;
      fits.push({ engine, memMbPerUser: mem?.slope ?? null, memMbBase: mem?.intercept ?? null, cpuPctPer1000Users: cpu ? cpu.slope * 1000 : null, usersAt80PctCpu: usersAt80, memMbAtTry: memAtTry, tryUsers });
      if (!stop.signal.aborted) points.push(...await measure(engine, target.url, Number(values['max-vus']), [0, 0], 'max-rps'));
      // the big one for real only when the fit says it fits in memory (under the 16 GB cap, with room
      // for the rest of the machine); if it does not fit in one core, the step says so (invalid)
      if (tryUsers > 0 && memAtTry !== null && memAtTry < 12_000 && !stop.signal.aborted) {
        points.push(...await measure(engine, target.url, tryUsers, [1, 2.5], 'think'));
      } else if (tryUsers > 0) {
        process.stderr.write(`${engine}: not trying ${tryUsers} users (fit: ${Math.round(memAtTry ?? 0)} MB)\n`);
      }
      // the open-model equivalent of those users (k6 only: Locust runs the closed model)
      const openUsers = Number(values['open-users']);
      if (engine === 'k6' && openUsers > 0 && !stop.signal.aborted) points.push(...await measure(engine, target.url, openUsers, [1, 2.5], 'open'));
    }
  } finally {
    target.stop();
  }
  const result: BenchResult = { stamp, target: target.kind, machine, machineAfter: await machineState(), holdS, rampS, points, fits };
  const outJson = path.join(LOADTEST_DIR, 'bench', 'results', `${stamp}.json`);
  await mkdir(path.dirname(outJson), { recursive: true });
  await writeFile(outJson, `${JSON.stringify(result, null, 2)}\n`);
  const md = renderBench(result);
  await writeFile(path.join(LOADTEST_DIR, 'bench', 'RESULTS.md'), md);
  process.stdout.write(`${md}\nwritten: ${outJson}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
