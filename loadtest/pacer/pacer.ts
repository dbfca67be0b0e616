/**
 * pacer: the project's open-model load generator, made to cost far less CPU per request than
 * the service it measures (k6 costs several times what the API does; see
 * loadtest/bench/results/generators.md). One Node process, no dependencies: run by Node 24 in
 * its container (type stripping), or by Node 20 with tsx locally.
 *
 * Same configuration as the k6 scripts (the RS_* variables, read by k6/lib/config.ts; plus
 * RS_SCENARIO = arrival | poisson and RS_MAX_CONNECTIONS), same step schedule
 * (k6/lib/schedule.ts), same response contract (k6/lib/contract.ts), and the same raw result
 * (`rightsize.load-raw/v1`) written to RS_SUMMARY at the end. What differs is how requests are
 * sent: each request is due at a time fixed in advance (arrivals.ts); its latency runs from
 * that time, not from when a connection was free, so a slow server cannot slow its own load
 * (no coordinated omission), and how late the generator itself sent each request is recorded
 * separately (`send_lag`). Each step is judged against the objective (p95/p99 over its hold after
 * the warm-up, errors over the step) and the run stops at the first step that breaks it, as k6's
 * abortOnFail thresholds do; while a step runs, only a failure that is already certain stops it
 * (step-stats.ts), so an early stop never changes a verdict.
 *
 * One run split across N pacers (the runner's `generators: N`): RS_GENERATOR=i/N makes this one
 * instance i of N; it offers its share (arrivals.ts: the whole run's due times dealt round-robin,
 * or Poisson at rate / N), and plans, judges and reports that share. RS_START_AT_MS (wall-clock
 * ms) is the schedule's start shared by all instances: each waits for it after its set-up, so
 * their steps line up; one that starts late sends its backlog at once, and that lateness is in
 * its send lag, where it is judged. Each step's latency histograms are written with the raw
 * result, so the runner merges the instances' percentiles exactly.
 *
 *   RS_SCENARIO=arrival RS_TARGET=http://127.0.0.1:8000 RS_MAX=2000 RS_SUMMARY=/tmp/raw.json \
 *     node --import tsx loadtest/pacer/pacer.ts
 */
import { lookup } from 'node:dns/promises';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { readConfig } from '../k6/lib/config.ts';
import { contractCheck } from '../k6/lib/contract.ts';
import { requestBody } from '../k6/lib/protocol.ts';
import { integrateTarget, type ScheduledStep } from '../k6/lib/schedule.ts';
import { createArrivals, parseShare, shareSchedule } from './arrivals.ts';
import { createConnectionPool, type Outcome } from './connections.ts';
import { Histogram } from './histogram.ts';
import { certainFailure, createStepStats, judgeStep, rawStep, type StepStats, type Verdict } from './step-stats.ts';

const RAW_SCHEMA_ID = 'rightsize.load-raw/v1';

function fatal(message: string): never {
  process.stderr.write(`pacer: ${message}\n`);
  process.exit(2);
}

const scenarioName = process.env.RS_SCENARIO ?? 'arrival';
if (scenarioName !== 'arrival' && scenarioName !== 'poisson') {
  fatal(`RS_SCENARIO=${scenarioName}: the pacer offers open-model load only (arrival or poisson); closed-model users (steps) run on k6 or Locust`);
}
let config: ReturnType<typeof readConfig>;
try {
  config = readConfig(scenarioName, process.env);
} catch (err) {
  fatal((err as Error).message.replace('rightsize k6', 'pacer'));
}
let share: ReturnType<typeof parseShare>;
try {
  share = parseShare(process.env.RS_GENERATOR);
} catch (err) {
  fatal((err as Error).message);
}
const startAtRaw = process.env.RS_START_AT_MS?.trim() ?? '';
const startAtMs = startAtRaw === '' ? null : Number(startAtRaw);
if (startAtMs !== null && !(Number.isInteger(startAtMs) && startAtMs > 0)) fatal(`RS_START_AT_MS=${startAtRaw}: expected a wall-clock time in ms`);
// this instance's share of the run: what it plans, judges and reports (the whole run when alone)
const schedule = shareSchedule(config.schedule, share);
const url = new URL(`${config.target}${config.path}`);
if (url.protocol !== 'http:') fatal(`RS_TARGET=${config.target}: the pacer speaks plain http only`);

const version = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
})();
const engineVersion = `${version} (node ${process.versions.node})`;

// request bytes, built once per payload row
const payloadsPath = config.payloadsPath ?? new URL('../data/payloads.json', import.meta.url);
let bodies: string[];
try {
  const doc = JSON.parse(readFileSync(payloadsPath, 'utf8')) as { rows?: unknown };
  if (!Array.isArray(doc.rows) || doc.rows.length === 0) throw new Error('expected {features, rows: [...]} with at least one row');
  bodies = (doc.rows as Record<string, unknown>[]).map((row) => requestBody(config.protocol, row));
} catch (err) {
  fatal(`${String(payloadsPath)}: ${(err as Error).message}`);
}
const requests = bodies.map((body) =>
  Buffer.from(
    `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  ),
);
const isPrediction = contractCheck(config.protocol);
const objective = { p95Ms: config.p95Ms, p99Ms: config.p99Ms, maxErrorRate: config.maxErrorRate };

const maxUsers = Math.max(...schedule.steps.map((s) => s.users ?? 0));
const maxConnections = Number(process.env.RS_MAX_CONNECTIONS ?? 0) || (maxUsers > 0 ? maxUsers : config.maxInflight);
const address = await lookup(url.hostname).catch((err: Error) => fatal(`cannot resolve ${url.hostname}: ${err.message}`));

// instances splitting a run start their schedules together: whoever is ready waits for the agreed time
if (startAtMs !== null) {
  const waitMs = startAtMs - Date.now();
  if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
  else if (waitMs < -100) process.stderr.write(`pacer: started ${-waitMs} ms after the agreed start (RS_START_AT_MS); the requests already due go out at once and count as send lag\n`);
}
const t0Ms = startAtMs ?? Date.now();
// the test clock counts from t0 even when this process got there late
const perf0 = performance.now() - Math.max(0, Date.now() - t0Ms);
const pool = createConnectionPool({
  host: address.address,
  port: Number(url.port || 80),
  maxConnections,
  timeoutMs: config.requestTimeoutS * 1000,
  now: () => performance.now(),
});
const stats: StepStats[] = schedule.steps.map(() => createStepStats());
const totals = { sent: 0, maxOpen: 0 };
let abort: { step: number; reason: string } | null = null;
const failedThresholds: { metric: string; threshold: string }[] = [];

process.stdout.write(`RS_T0=${t0Ms}\n`);

function record(step: ScheduledStep, dueMs: number, slo: boolean, checked: boolean, o: Outcome): void {
  const s = stats[step.index]!;
  const us = (o.endMs - dueMs) * 1000;
  s.requests++;
  s.latency.record(us);
  if (slo) s.slo.record(us);
  if (o.error !== null) {
    s.failed++;
    if (o.error === 'timeout') s.timeouts++;
    else s.connection++;
  } else if (o.status < 200 || o.status >= 400) {
    s.failed++;
    if (o.status >= 500) s.http5xx++;
    else if (o.status >= 400) s.http4xx++;
  }
  if (checked) {
    if (o.status === 200 && o.body !== null && isPrediction(o.body)) s.checksPass++;
    else s.checksFail++;
  }
}

// --- the send loop: every request due by now goes out, then sleep until the next one is due
const arrivals = createArrivals(config.schedule, Math.random, share);
let nextDueS = arrivals.next();
let stepIndex = 0;
let sending = true;
let sendTimer: NodeJS.Timeout | undefined;
let stoppedAtMs: number | null = null;

function tick(): void {
  if (!sending) return;
  const nowMs = performance.now();
  const elapsedS = (nowMs - perf0) / 1000;
  while (nextDueS !== null && nextDueS <= elapsedS) {
    while (stepIndex < schedule.steps.length - 1 && nextDueS >= schedule.steps[stepIndex]!.endS) stepIndex++;
    const step = schedule.steps[stepIndex]!;
    const dueMs = perf0 + nextDueS * 1000;
    const n = totals.sent++;
    const checked = config.checkEvery > 0 && n % config.checkEvery === 0;
    const slo = nextDueS >= step.holdStartS + config.sloWarmupS;
    const s = stats[step.index]!;
    s.started++;
    s.sendLag.record((nowMs - dueMs) * 1000);
    pool.send({ bytes: requests[n % requests.length]!, keepBody: checked, dueMs, done: (o) => record(step, dueMs, slo, checked, o) });
    nextDueS = arrivals.next();
  }
  if (nextDueS === null) {
    stopSending(null);
    return;
  }
  sendTimer = setTimeout(tick, Math.max(1, (nextDueS - elapsedS) * 1000));
}

function stopSending(why: { step: number; reason: string } | null): void {
  if (!sending) return;
  sending = false;
  clearTimeout(sendTimer);
  stoppedAtMs = performance.now();
  if (why !== null) abort = why;
  void drainAndWrite();
}

// --- once a second: expire timed-out requests, judge the running and the last finished step, print live counters
const housekeeping = setInterval(() => {
  const nowMs = performance.now();
  pool.expire(nowMs);
  totals.maxOpen = Math.max(totals.maxOpen, pool.open());
}, 100);

let judgedThrough = -1;
// what each step plans to send, overall and in its judged window (the hold after the warm-up)
const planned = schedule.steps.map((s) => ({
  requests: integrateTarget(s, s.rampStartS, s.endS),
  slo: integrateTarget(s, Math.min(s.holdStartS + config.sloWarmupS, s.endS), s.endS),
}));
const liveTimer = setInterval(() => {
  const elapsedS = (performance.now() - perf0) / 1000;
  // a running step stops the run only on a certain failure; a finished one, once its last request had its answer or its timeout, on its verdict
  for (let i = judgedThrough + 1; sending && i <= stepIndex; i++) {
    const complete = schedule.steps[i]!.endS + config.requestTimeoutS < elapsedS || (schedule.steps[i]!.endS < elapsedS && pool.inflight() + pool.waiting() === 0);
    const verdict = complete ? judgeStep(stats[i]!, objective) : certainFailure(stats[i]!, objective, planned[i]!);
    if (verdict !== null) fail(i, verdict);
    else if (complete && i === judgedThrough + 1) judgedThrough = i;
  }
  let requestsDone = 0;
  let failed = 0;
  for (const s of stats) {
    requestsDone += s.requests;
    failed += s.failed;
  }
  const current = stats[stepIndex]!;
  const live = { requests: requestsDone, failed, users: pool.inflight() + pool.waiting(), dropped: 0, p95_ms: current.latency.count > 0 ? current.latency.percentileUs(95) / 1000 : null };
  process.stdout.write(`RS_LIVE=${JSON.stringify(live)}\n`);
}, 1000);

function fail(index: number, verdict: Verdict): void {
  failedThresholds.push({ metric: `${verdict.metric}{step:${index}}`, threshold: verdict.threshold });
  stopSending({ step: index, reason: `step ${index} broke the objective: ${verdict.reason}` });
}

async function drainAndWrite(): Promise<void> {
  // the requests already sent get their answer or their timeout
  const limitMs = performance.now() + config.requestTimeoutS * 1000 + 1000;
  while (pool.inflight() + pool.waiting() > 0 && performance.now() < limitMs) await new Promise((r) => setTimeout(r, 20));
  clearInterval(housekeeping);
  clearInterval(liveTimer);
  pool.close();
  writeRaw();
  process.exit(0);
}

function writeRaw(): void {
  const endMs = abort !== null || interrupted ? (stoppedAtMs ?? performance.now()) : performance.now();
  const ran = schedule.steps.filter((s) => s.index === 0 || s.rampStartS * 1000 < endMs - perf0);
  let failed = 0;
  for (const s of stats) failed += s.failed;
  // the run's latency is its steps' merged (histograms add up exactly), not recorded twice per request
  const latency = new Histogram();
  for (const s of ran) latency.add(stats[s.index]!.latency);
  const raw = {
    schema: RAW_SCHEMA_ID,
    engine: 'pacer',
    engine_version: engineVersion,
    scenario: schedule.scenario,
    target_url: url.href,
    t0_ms: t0Ms,
    test_run_duration_ms: Math.round(endMs - perf0),
    plan: schedule,
    objective: { p95_ms: config.p95Ms, p99_ms: config.p99Ms, max_error_rate: config.maxErrorRate },
    think_time_s: null,
    steps: ran.map((s) => rawStep(s.index, stats[s.index]!)),
    totals: {
      requests: ran.reduce((n, s) => n + stats[s.index]!.requests, 0),
      latency: latency.stats(),
      failed,
      dropped_iterations: 0,
      iterations: totals.sent,
      vus_max: totals.maxOpen,
    },
    failed_thresholds: failedThresholds,
    abort,
  };
  const tmp = `${config.summaryPath}.tmp`;
  // histogram buckets as [index,count] on one line each: the file stays readable and small
  writeFileSync(tmp, `${JSON.stringify(raw, null, 1).replace(/\[\s*(\d+),\s*(\d+)\s*\]/g, '[$1,$2]')}\n`);
  renameSync(tmp, config.summaryPath);
  process.stdout.write(`pacer: ${raw.totals.requests} requests in ${(raw.test_run_duration_ms / 1000).toFixed(1)} s, ${failed} failed${abort ? `; ${abort.reason}` : ''}\n`);
}

// Ctrl-C / docker stop: stop offering load, let what was sent finish, still write the result
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    stopSending(null);
  });
}

tick();
