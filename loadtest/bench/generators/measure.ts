/**
 * One point: a generator pinned to its core at one rate, measured over one window.
 *
 * The generator starts; its first answered request (the target's counter moves) starts the
 * clock; after the warm-up, its process tree's CPU time, the target's CPU time and the target's
 * counter are read together, and again after the hold. CPU per request = generator CPU time in
 * the window / requests the target answered in it. The generator then runs out its short tail
 * and exits on its own (bounded: interrupted, then killed), and its own account of the run
 * (errors, p95, dropped iterations) is read from its output.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnEngine } from '../../src/engines/process.js';
import { waitShare } from '../../src/sampling/schedstat.js';
import type { CountingTarget } from './counting-target.js';
import type { GeneratorCommand, GeneratorEntry, Peek } from './entry.js';
import { judgePoint } from './judge.js';
import { readTree, type TreeReading } from './proc-tree.js';
import type { Bounds, Point } from './schema.js';

export interface MeasureInput {
  entry: GeneratorEntry;
  kind: Point['kind'];
  rate: number | null;
  warmupS: number;
  holdS: number;
  target: CountingTarget;
  workRoot: string;
  bodyFile: string;
  core: number;
  bounds: Bounds;
  signal: AbortSignal;
  /** seconds from spawn to the first answered request (k6 initialises every VU first) */
  startTimeoutS?: number;
}

/** seconds of load past the window, so the window never sees the generator wind down */
const TAIL_S = 2;
/** seconds after its planned end before a generator is interrupted, then killed */
const END_GRACE_S = 45;

interface Snapshot {
  gen: TreeReading;
  target: TreeReading;
  count: number;
  peek: Peek | null;
  wallMs: number;
}

export async function measurePoint(input: MeasureInput): Promise<Point> {
  const { entry, target } = input;
  const workDir = await mkdtemp(path.join(input.workRoot, `${entry.id}-${input.rate ?? 'closed'}-`));
  const command = await entry.command({ rate: input.rate, runS: input.warmupS + input.holdS + TAIL_S, targetUrl: target.url, workDir, bodyFile: input.bodyFile });
  const lines: string[] = [];
  const before = await target.count();
  const child = await spawnEngine({
    file: 'taskset',
    args: ['-c', String(input.core), command.file, ...command.args],
    env: command.env,
    cwd: command.cwd,
    stopSignal: command.stopSignal,
    onLine: (line) => {
      lines.push(line);
      if (lines.length > 400) lines.shift();
    },
  });
  let exited = false;
  void child.done.then(() => (exited = true));
  const onAbort = () => child.interrupt(5000);
  input.signal.addEventListener('abort', onAbort, { once: true });
  const fail = (why: string) => new Error(`${entry.id} at ${input.rate ?? 'closed loop'}: ${why}\n  ${lines.slice(-8).join('\n  ')}`);
  try {
    // the clock starts at the first answered request
    const startBy = performance.now() + (input.startTimeoutS ?? 120) * 1000;
    while ((await target.count()) === before) {
      if (exited) throw fail('exited before sending a request');
      if (performance.now() > startBy) throw fail('sent no request in time');
      await sleep(100, undefined, { signal: input.signal });
    }
    await sleep(input.warmupS * 1000, undefined, { signal: input.signal });
    const a = await snapshot(child.pid, target, command);
    command.atWindowStart?.(child.pid);
    await sleep(input.holdS * 1000, undefined, { signal: input.signal });
    const b = await snapshot(child.pid, target, command);
    if (exited) throw fail('exited before the window ended');
    const killTimer = setTimeout(() => child.interrupt(10_000), (TAIL_S + END_GRACE_S) * 1000);
    await child.done;
    clearTimeout(killTimer);
    const peeks = a.peek && b.peek ? { from: a.peek, to: b.peek } : null;
    const own = await command.collect({ lines, window: { fromMs: a.wallMs, toMs: b.wallMs }, peeks }).catch((err: unknown) => {
      throw fail(`its own report: ${(err as Error).message}`);
    });
    return point(input, a, b, own);
  } finally {
    input.signal.removeEventListener('abort', onAbort);
    child.interrupt(5000);
    await child.done;
  }
}

async function snapshot(pid: number, target: CountingTarget, command: GeneratorCommand): Promise<Snapshot> {
  const wallMs = Date.now();
  const [gen, tgt, count, peek] = await Promise.all([readTree(pid), readTree(target.pid), target.count(), command.peek?.().catch(() => null) ?? null]);
  return { gen, target: tgt, count, peek, wallMs };
}

function point(input: MeasureInput, a: Snapshot, b: Snapshot, own: Point['own']): Point {
  const windowS = (b.gen.atMs - a.gen.atMs) / 1000;
  const requests = b.count - a.count;
  const cpuS = b.gen.cpuS - a.gen.cpuS;
  const achievedRps = requests / windowS;
  const measured = {
    generator: input.entry.id,
    kind: input.kind,
    offeredRps: input.rate,
    achievedRps: round(achievedRps, 1),
    achievedRatio: input.rate === null ? null : round(achievedRps / input.rate, 3),
    windowS: round(windowS, 2),
    requests,
    cpuUsPerRequest: requests > 0 ? round((cpuS * 1e6) / requests, 1) : null,
    cpuPct: round((cpuS / windowS) * 100, 1),
    cpuWaitPct: a.gen.sched && b.gen.sched ? round(waitShare(a.gen.sched, b.gen.sched), 1) : null,
    targetCpuPct: round(((b.target.cpuS - a.target.cpuS) / ((b.target.atMs - a.target.atMs) / 1000)) * 100, 1),
    own: { ...own, p95Ms: own.p95Ms === null ? null : round(own.p95Ms, 2) },
    loadavg: round(os.loadavg()[0]!, 2),
    at: new Date().toISOString(),
  };
  return { ...measured, ...judgePoint(measured, input.bounds) };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
