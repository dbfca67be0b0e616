/**
 * Docker tier: a short overload on the real engine, the way `npm run bench:overload` drives it
 * (bench/overload-core.ts): the API image at 0.25 CPU / 128 MiB behind the project's HAProxy,
 * its capacity at the objective measured first, then 3 x that for 10 s through the balancer and
 * half of it again for 15 s. The balancer sheds (503 within LB_QUEUE_TIMEOUT, nothing left
 * unanswered), the API is not OOM-killed, and p99 is back under the objective within 5 s of the
 * end of the overload (the target; the bench measures 60 s runs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDocker } from '@rightsize/compose/docker';
import { createOwner, registerCleanup, requireDocker } from '@rightsize/compose/testing';
import { API_IMAGE, apiMemory, LB_IMAGE, measureCapacity, overloadRun, recoverySeconds, startTarget } from '../bench/overload-core.js';

const docker = createDocker();
const OBJECTIVE_MS = 200;

test('recovery is measured from the end of the overload until every later second is back under the objective', () => {
  assert.equal(recoverySeconds([900, 150, 120], OBJECTIVE_MS), 1);
  assert.equal(recoverySeconds([150, 120], OBJECTIVE_MS), 0);
  assert.equal(recoverySeconds([150, 900, 120], OBJECTIVE_MS), 2, 'a relapse restarts the count');
  assert.equal(recoverySeconds([150, 900], OBJECTIVE_MS), null, 'not recovered within the run');
});

test('a short overload through the balancer is shed, nothing is left unanswered, and p99 recovers within 5 s', { timeout: 5 * 60_000 }, async (t) => {
  if (!(await requireDocker(t, { images: [API_IMAGE, LB_IMAGE] }))) return;
  const owner = createOwner('overload');
  registerCleanup(t, owner);
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'rs-overload-'));
  t.after(() => rm(outDir, { recursive: true, force: true }));
  const target = await startTarget({ cpus: 0.25, memory: '128m', owner, docker });
  t.after(() => target.stop());

  const { capacity } = await measureCapacity({ target: target.direct, ladder: [100, 150, 200, 250, 300, 350, 400, 450, 500, 600, 700], holdS: 2, objectiveMs: OBJECTIVE_MS, outDir, warmupS: 5 });
  t.diagnostic(`capacity at p95 <= ${OBJECTIVE_MS} ms: ${capacity} req/s`);
  assert.ok(capacity >= 100, `the configuration holds some load at the objective (${capacity} req/s)`);

  const run = await overloadRun({ target: target.balancer, path: 'balancer', capacity, multiplier: 3, beforeS: 3, overloadS: 10, afterS: 15, objectiveMs: OBJECTIVE_MS, outDir });
  t.diagnostic(JSON.stringify({ overload: run.overload, recovery_s: run.recovery_s, after_p99_ms: run.after_p99_ms, send_lag_p99_ms: run.send_lag_p99_ms }));
  assert.ok(run.overload.requests > capacity * 10 * 2, `the overload was offered (${run.overload.requests} requests in 10 s)`);
  assert.ok(run.overload.share.http503 > 0, 'the balancer shed with 503');
  assert.equal(run.overload.share.none, 0, 'no request went unanswered (timeout or connection error)');
  assert.ok(run.overload.goodput >= 0.8 * capacity, `goodput ${run.overload.goodput}/s is at least 80 % of the capacity ${capacity}/s`);
  assert.ok(run.recovery_s !== null && run.recovery_s <= 5, `p99 back under ${OBJECTIVE_MS} ms within 5 s of the end (${run.recovery_s} s; per second: ${run.after_p99_ms.join(', ')})`);
  const memory = await apiMemory(docker, target.apiId);
  assert.equal(memory.oom_killed, false);
});
