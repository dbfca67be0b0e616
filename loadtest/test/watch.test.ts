import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSchedule } from '../k6/lib/schedule.js';
import { createLineHandler } from '../src/engines/lines.js';
import type { LaunchedEngine } from '../src/engines/types.js';
import { watchEngine } from '../src/engines/watch.js';
import type { LoadEvent } from '../src/events.js';

/** An engine that runs until it is interrupted, like a run that overruns its plan. */
function endlessEngine(): LaunchedEngine & { interrupts: number } {
  let finish: (code: number | null) => void = () => undefined;
  const engine = {
    runtime: 'local' as const,
    engineVersion: 'test',
    rawPath: '/nonexistent',
    liveUrl: null,
    done: new Promise<number | null>((resolve) => (finish = resolve)),
    interrupts: 0,
    interrupt() {
      engine.interrupts++;
      finish(105);
    },
    sampler: { stop: async () => [] },
    cpuShare: 1,
    cleanup: async () => undefined,
  };
  return engine;
}

const schedule = buildSchedule({ scenario: 'steps', startUsers: 1, maxUsers: 1, stepUsers: 1, rates: [], rampS: 0, holdS: 1, thinkMinS: 1, thinkMaxS: 1 });

test('a run that overruns its hard bound is stopped once, and says so', async () => {
  const engine = endlessEngine();
  const events: LoadEvent[] = [];
  const watcher = watchEngine({ engine, lines: createLineHandler('k6', (e) => events.push(e)), schedule, deadlineS: 0.2, emit: (e) => events.push(e), latestSample: () => null });
  const code = await engine.done;
  watcher.stop();
  assert.equal(code, 105);
  assert.equal(engine.interrupts, 1);
  assert.match(watcher.stopReason()!, /^deadline: the run exceeded its bound of 0 s/);
  assert.deepEqual(events.filter((e) => e.type === 'stopping').length, 1);
});

test('an abort from the caller stops the engine and is remembered as an interruption', async () => {
  const engine = endlessEngine();
  const controller = new AbortController();
  const watcher = watchEngine({ engine, lines: createLineHandler('k6', () => undefined), schedule, deadlineS: 60, signal: controller.signal, emit: () => undefined, latestSample: () => null });
  controller.abort();
  await engine.done;
  watcher.stop();
  assert.equal(engine.interrupts, 1);
  assert.match(watcher.stopReason()!, /^interrupted/);
});

test('engine lines give the start marker, live counters and deduplicated warnings', () => {
  const events: LoadEvent[] = [];
  const k6 = createLineHandler('k6', (e) => events.push(e));
  k6.onLine('{"level":"info","msg":"RS_T0=1795351466928","source":"console"}');
  k6.onLine('{"level":"warning","msg":"Insufficient VUs, reached 3 active VUs"}');
  k6.onLine('{"level":"warning","msg":"Insufficient VUs, reached 4 active VUs"}');
  k6.onLine('{"level":"error","msg":"thresholds on metrics \'rs_slo_latency{step:1}\' were crossed; at least one has abortOnFail enabled, stopping test prematurely"}');
  assert.equal(k6.t0Ms(), 1795351466928);
  assert.deepEqual(events.map((e) => (e.type === 'log' ? e.level : e.type)), ['warn', 'info']);
  const locust = createLineHandler('locust', () => undefined);
  locust.onLine('RS_LIVE={"requests": 12, "failed": 1, "users": 5}');
  assert.deepEqual({ ...locust.live()!, atMs: 0 }, { atMs: 0, requests: 12, failed: 1, vus: 5, dropped: 0, stepP95Ms: null });
  locust.onLine('RS_LIVE={"requests": 20, "failed": 1, "users": 6, "p95_ms": 12.5}');
  assert.equal(locust.live()!.stepP95Ms, 12.5, 'a step p95 on the line reaches the live reading');
});
