/**
 * What `npm run bench:overload` and the overload test share: the API (and the stack's HAProxy,
 * with the project's own haproxy.cfg) in containers on a network this run creates, the pacer
 * offering open-model load from the host to their addresses (never through a published port,
 * so Docker's userland proxy is not in the path), and the reading of its per-second steps.
 *
 * One overload run = the pacer's Poisson steps, 1 s each: `before` s at half the capacity, `overload` s
 * at m x capacity, `after` s at half the capacity again. Each step's latency runs from when the
 * request was due until its answer or its failure (timeout, connection error), so a request
 * left waiting shows as late whatever became of it. Per phase: goodput (200s/s), the share
 * answered 200, 503 (any 5xx) or not at all, p99, and how many waited over 1 s (from the
 * steps' histograms). Recovery = from the end of the overload until the first second from
 * which every second's p99 stays under the objective.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createDocker, OWNER_LABEL, type Docker } from '@rightsize/compose/docker';
import { LOADTEST_DIR } from '../src/paths.js';
import { Histogram, type HistogramData } from '../pacer/histogram.js';

export const API_IMAGE = 'rightsize-api:latest';
export const LB_IMAGE = 'haproxy:2.6';
const HAPROXY_CFG = path.resolve(LOADTEST_DIR, '..', 'compose', 'haproxy', 'haproxy.cfg');

export interface Target {
  owner: string;
  /** http://<api ip>:8000 */
  direct: string;
  /** http://<lb ip>:8080 */
  balancer: string;
  apiId: string;
  stop(): Promise<void>;
}

/** The API at `cpus`/`memory` pinned to core 1, HAProxy pinned to core 0, on a network of their own. */
export async function startTarget(options: { cpus: number; memory: string; owner: string; apiEnv?: Record<string, string>; lbEnv?: Record<string, string>; docker?: Docker }): Promise<Target> {
  const docker = options.docker ?? createDocker();
  const { owner } = options;
  const labels = { [OWNER_LABEL]: owner };
  await docker.networkCreate({ name: owner, labels });
  const stop = async () => {
    const ids = (await docker.listContainers({ [OWNER_LABEL]: owner })).map((c) => c.id);
    await docker.rm(ids).catch(() => undefined);
    await docker.networkRm(owner).catch(() => undefined);
  };
  try {
    const apiId = await docker.run({
      image: API_IMAGE,
      labels,
      network: owner,
      networkAliases: ['api'],
      cpus: options.cpus,
      memory: options.memory,
      readOnly: true,
      tmpfs: ['/tmp'],
      env: { LOG_LEVEL: 'warn', ...options.apiEnv },
      extraArgs: ['--cpuset-cpus', '1'],
    });
    const lbId = await docker.run({
      image: LB_IMAGE,
      labels,
      network: owner,
      readOnly: true,
      tmpfs: ['/tmp'],
      volumes: [`${HAPROXY_CFG}:/usr/local/etc/haproxy/haproxy.cfg:ro`],
      env: { API_PORT: '8000', API_HEALTH_PATH: '/health/ready', LB_SLOTS: '4', LB_BALANCE: 'roundrobin', LB_MAXCONN: '', LB_SERVER_MAXCONN: '64', LB_SERVER_MAXQUEUE: '256', LB_QUEUE_TIMEOUT: '500ms', ...options.lbEnv },
      extraArgs: ['--cpuset-cpus', '0'],
    });
    await docker.waitHealthy(apiId, { timeoutMs: 90_000 });
    const ip = async (id: string) => (await docker.inspect(id)).NetworkSettings.Networks?.[owner]?.IPAddress ?? '';
    const [apiIp, lbIp] = [await ip(apiId), await ip(lbId)];
    if (!apiIp || !lbIp) throw new Error('the bench containers have no address on their network');
    const target = { owner, direct: `http://${apiIp}:8000`, balancer: `http://${lbIp}:8080`, apiId, stop };
    // the balancer found the replica (DNS discovery, health check) once it answers a prediction
    await waitAnswers(`${target.balancer}/health/ready`, 30_000);
    return target;
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitAnswers(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 1000);
    const ok = await fetch(url, { signal: controller.signal }).then((r) => r.ok, () => false);
    clearTimeout(timer);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface PacerStep {
  index: number;
  requests: number;
  latency: { p99: number; p95: number; max: number };
  errors: { http4xx: number; http5xx: number; timeouts: number; connection: number };
  send_lag: { p99: number };
  histograms: { latency: HistogramData };
}

/**
 * The pacer on core 0 (taskset), one step per rate, `holdS` each, no ramp, no objective (it never
 * stops early), client timeout `timeoutS`. Resolves to its raw steps.
 */
export async function runPacer(options: { target: string; rates: number[]; holdS: number; timeoutS: number; outDir: string; maxConnections?: number; name: string; stopAt?: { p95Ms: number; maxErrorRate: number; warmupS: number } }): Promise<PacerStep[]> {
  await mkdir(options.outDir, { recursive: true });
  const summary = path.join(options.outDir, `${options.name}.raw.json`);
  const env = {
    ...process.env,
    RS_SCENARIO: 'poisson',
    RS_TARGET: options.target,
    RS_RATES: options.rates.map((r) => Math.round(r)).join(','),
    RS_HOLD: String(options.holdS),
    RS_RAMP: '0',
    // with stopAt the pacer stops at the first step that breaks it (as a sweep's trial does); without, never
    RS_SLO_WARMUP: String(options.stopAt?.warmupS ?? 0),
    RS_MAX_ERROR_RATE: String(options.stopAt?.maxErrorRate ?? 1),
    ...(options.stopAt ? { RS_P95_MS: String(options.stopAt.p95Ms) } : {}),
    RS_TIMEOUT: String(options.timeoutS),
    RS_CHECK_EVERY: '0',
    RS_SUMMARY: summary,
    RS_MAX_CONNECTIONS: String(options.maxConnections ?? 4000),
  };
  const child = spawn('taskset', ['-c', '0', process.execPath, '--import', 'tsx', path.join(LOADTEST_DIR, 'pacer', 'pacer.ts')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const raw = JSON.parse(await readFile(summary, 'utf8').catch(() => 'null')) as { steps?: PacerStep[]; abort?: { step: number } | null } | null;
  if (!raw?.steps) throw new Error(`the pacer wrote no result (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`);
  // the step that broke the objective (stopAt) is the last one it ran; it did not hold
  return raw.abort ? raw.steps.filter((s) => s.index < (raw.abort as { step: number }).step) : raw.steps;
}

/**
 * The highest rate of a ladder whose step meets p95 <= objectiveMs (after its first second) with
 * <= 1 % errors, 0 if none; after a warm-up (`warmupS` at the ladder's first rate, not judged:
 * a fresh process is slower while V8 and ONNX Runtime warm up).
 */
export async function measureCapacity(options: { target: string; ladder: number[]; holdS: number; objectiveMs: number; outDir: string; warmupS?: number }): Promise<{ capacity: number; steps: PacerStep[] }> {
  await runPacer({ target: options.target, rates: [options.ladder[0] ?? 50], holdS: options.warmupS ?? 10, timeoutS: 10, outDir: options.outDir, name: 'warmup' });
  const steps = await runPacer({ target: options.target, rates: options.ladder, holdS: options.holdS, timeoutS: 10, outDir: options.outDir, name: 'capacity', stopAt: { p95Ms: options.objectiveMs, maxErrorRate: 0.01, warmupS: 1 } });
  // every step returned held (the pacer judged them as a sweep does and stopped at the first that did not)
  const held = steps.filter((s) => s.requests > 0);
  return { capacity: held.length ? (options.ladder[held.at(-1)!.index] ?? 0) : 0, steps };
}

export interface PhaseStats {
  seconds: number;
  requests: number;
  /** 200 answers per second */
  goodput: number;
  share: { ok: number; http503: number; none: number };
  p99_ms: number;
  /** requests that waited over 1 s for their answer or failure */
  over_1s: number;
}

export interface OverloadRun {
  path: 'direct' | 'balancer';
  multiplier: number;
  rate: number;
  capacity: number;
  before: PhaseStats;
  overload: PhaseStats;
  after: PhaseStats;
  /** seconds from the end of the overload until every later second's p99 is under the objective; null if never within the run */
  recovery_s: number | null;
  /** p99 of each second after the overload, ms */
  after_p99_ms: number[];
  /** how late the pacer itself sent, p99 over the overload, ms: the offered load is real only if this is small */
  send_lag_p99_ms: number;
}

/** Pure: a phase's figures from its 1-s steps. */
export function phaseStats(steps: readonly PacerStep[]): PhaseStats {
  const h = new Histogram();
  let requests = 0;
  let http5xx = 0;
  let none = 0;
  let failed = 0;
  for (const s of steps) {
    h.add(Histogram.decode(s.histograms.latency));
    requests += s.requests;
    http5xx += s.errors.http5xx;
    none += s.errors.timeouts + s.errors.connection;
    failed += s.errors.http4xx + s.errors.http5xx + s.errors.timeouts + s.errors.connection;
  }
  const ok = requests - failed;
  const share = (n: number) => (requests === 0 ? 0 : Math.round((1000 * n) / requests) / 1000);
  return {
    seconds: steps.length,
    requests,
    goodput: steps.length === 0 ? 0 : Math.round(ok / steps.length),
    share: { ok: share(ok), http503: share(http5xx), none: share(none) },
    p99_ms: Math.round(h.percentileUs(99) / 100) / 10,
    over_1s: h.countAbove(1_000_000),
  };
}

/** Pure: seconds after the overload until p99 stays under the objective (0 = the first second already was). */
export function recoverySeconds(afterP99Ms: readonly number[], objectiveMs: number): number | null {
  for (let i = 0; i < afterP99Ms.length; i++) if (afterP99Ms.slice(i).every((p) => p <= objectiveMs)) return i;
  return null;
}

/** One overload run against `target`: half capacity, m x capacity, half capacity again. */
export async function overloadRun(options: { target: string; path: 'direct' | 'balancer'; capacity: number; multiplier: number; beforeS: number; overloadS: number; afterS: number; objectiveMs: number; outDir: string }): Promise<OverloadRun> {
  const base = Math.max(1, options.capacity / 2);
  const rate = options.capacity * options.multiplier;
  const rates = [...Array(options.beforeS).fill(base), ...Array(options.overloadS).fill(rate), ...Array(options.afterS).fill(base)] as number[];
  const steps = await runPacer({ target: options.target, rates, holdS: 1, timeoutS: 10, outDir: options.outDir, name: `${options.path}-x${options.multiplier}` });
  const before = steps.slice(0, options.beforeS);
  const during = steps.slice(options.beforeS, options.beforeS + options.overloadS);
  const after = steps.slice(options.beforeS + options.overloadS);
  const afterP99 = after.map((s) => Math.round(s.latency.p99 * 10) / 10);
  return {
    path: options.path,
    multiplier: options.multiplier,
    rate: Math.round(rate),
    capacity: options.capacity,
    before: phaseStats(before),
    overload: phaseStats(during),
    after: phaseStats(after),
    recovery_s: recoverySeconds(afterP99, options.objectiveMs),
    after_p99_ms: afterP99,
    send_lag_p99_ms: Math.round(Math.max(0, ...during.map((s) => s.send_lag.p99)) * 10) / 10,
  };
}

/** The API container's memory high-water mark (MiB) and OOM kills, from its cgroup (v1 or v2). */
export async function apiMemory(docker: Docker, id: string): Promise<{ peak_mib: number | null; oom_killed: boolean }> {
  const full = (await docker.inspect(id)).Id;
  const read = (p: string) => readFile(p, 'utf8').then((t) => t.trim(), () => null);
  const peak = (await read(`/sys/fs/cgroup/memory/docker/${full}/memory.max_usage_in_bytes`)) ?? (await read(`/sys/fs/cgroup/system.slice/docker-${full}.scope/memory.peak`));
  const state = (await docker.inspect(id)).State;
  return { peak_mib: peak && /^\d+$/.test(peak) ? Math.round(Number(peak) / 2 ** 20) : null, oom_killed: state.OOMKilled || !state.Running };
}
