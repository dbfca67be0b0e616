/**
 * POST /swarm and GET /stop: Locust's parameters, form-encoded or JSON, validated with the
 * offending keys named, the load runner's target guard, and how a request becomes a bounded
 * load run. The load runner is replaced here by a recorder (no k6 is claimed); the real k6 run
 * is docker-adhoc-load.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LoadOptionsInput } from '@rightsize/loadtest/options';
import type { RunLoadHooks } from '@rightsize/loadtest/runner';
import type { RunLoadFn } from '../../src/adapters/load-port.js';
import { createKit, waitFor } from './support/web-kit.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Records what the API asked the load runner for; "starts" the engine and ends when aborted. */
function recorder() {
  const calls: { input: LoadOptionsInput; hooks: RunLoadHooks }[] = [];
  const runLoad: RunLoadFn = (input, hooks) => {
    calls.push({ input, hooks });
    hooks.onEvent?.({ type: 'start', runId: 'r', outDir: '/tmp/x', engine: 'k6', runtime: 'docker', scenario: 'steps', model: 'closed', steps: [], deadlineS: 100 });
    return new Promise((_resolve, reject) => hooks.signal?.addEventListener('abort', () => reject(new Error('stopped')), { once: true }));
  };
  return { calls, runLoad };
}

test('missing or bad Locust parameters are a 400 naming each key', async (t) => {
  const { app } = await createKit(t);
  const missing = await app.inject({ method: 'POST', url: '/swarm', headers: FORM, payload: 'host=http://127.0.0.1:9' });
  assert.equal(missing.statusCode, 400);
  assert.equal(missing.json().code, 'SWEEP_ERR_BAD_REQUEST');
  assert.deepEqual(new Set(missing.json().keys), new Set(['user_count', 'spawn_rate']));
  const bad = await app.inject({ method: 'POST', url: '/swarm', payload: { user_count: 2.5, spawn_rate: 'fast', run_time: '2 weeks', extra: 1 } });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(new Set(bad.json().keys), new Set(['user_count', 'spawn_rate', 'run_time', 'extra']));
  const tooLong = await app.inject({ method: 'POST', url: '/swarm', headers: FORM, payload: 'user_count=10&spawn_rate=5&run_time=2h' });
  assert.equal(tooLong.statusCode, 400);
  assert.deepEqual(tooLong.json().keys, ['run_time']);
});

test('a target that is not loopback is a 400 naming host, from the load runner\'s own guard', async (t) => {
  const { calls, runLoad } = recorder();
  const { app } = await createKit(t, { runLoad });
  for (const host of ['http://10.0.0.1:8080', 'http://example.com', 'ftp://127.0.0.1', 'http://api:8000']) {
    const res = await app.inject({ method: 'POST', url: '/swarm', headers: FORM, payload: `user_count=10&spawn_rate=10&host=${encodeURIComponent(host)}` });
    assert.equal(res.statusCode, 400, host);
    assert.equal(res.json().code, 'SWEEP_ERR_TARGET_REFUSED');
    assert.deepEqual(res.json().keys, ['host']);
  }
  assert.equal(calls.length, 0, 'no load was started');
});

test('spawning slower than the run time allows is a 400 naming spawn_rate and run_time', async (t) => {
  const { app } = await createKit(t, { runLoad: recorder().runLoad });
  const res = await app.inject({ method: 'POST', url: '/swarm', payload: { user_count: 100, spawn_rate: 1, run_time: '30s', host: 'http://127.0.0.1:9' } });
  assert.equal(res.statusCode, 400);
  assert.deepEqual(res.json().keys, ['spawn_rate', 'run_time']);
});

test('a form-encoded ad-hoc load becomes one bounded step of the load runner, and /stop ends it', async (t) => {
  const { calls, runLoad } = recorder();
  const { app, session } = await createKit(t, { runLoad });
  const res = await app.inject({ method: 'POST', url: '/swarm', headers: FORM, payload: 'user_count=50&spawn_rate=10&host=http%3A%2F%2F127.0.0.1%3A8000&run_time=1m' });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  assert.equal(body.success, true);
  assert.equal(body.message, 'Swarming started');
  assert.equal(body.host, 'http://127.0.0.1:8000');
  assert.equal(body.run_time, 60);
  const input = calls[0]?.input;
  assert.ok(input);
  assert.deepEqual(input.schedule, { startUsers: 50, maxUsers: 50, stepUsers: 50, rampS: 5, holdS: 55 });
  assert.equal(input.target, 'http://127.0.0.1:8000');
  assert.equal(input.objective?.maxErrorRate, 1, 'an ad-hoc load never aborts on errors');

  // progress from the runner shows up in /stats/requests, Locust's fields
  calls[0]?.hooks.onEvent?.({ type: 'progress', elapsedS: 6, step: null, rps: 40, failedPerS: 2, users: 50, dropped: 0, p95Ms: 8.5, generatorCpuPct: 12, generatorMemMb: 40 });
  const stats = (await app.inject({ method: 'GET', url: '/stats/requests' })).json();
  assert.equal(stats.state, 'running');
  assert.equal(stats.user_count, 50);
  assert.equal(stats.stats[0].method, 'POST');
  assert.equal(stats.stats[0].name, '/predict');
  assert.equal(stats.stats[1].name, 'Aggregated');
  assert.equal(stats.stats[0].num_requests, 40);
  assert.equal(stats.stats[0].num_failures, 2);
  assert.equal(stats.fail_ratio, 0.05);

  const busy = await app.inject({ method: 'POST', url: '/swarm', payload: { user_count: 1, spawn_rate: 1 } });
  assert.equal(busy.statusCode, 409);
  const sweepBusy = await app.inject({ method: 'POST', url: '/api/sweep', payload: { quick: true } });
  assert.equal(sweepBusy.statusCode, 409, 'no sweep while an ad-hoc load runs');

  const stop = await app.inject({ method: 'GET', url: '/stop' });
  assert.equal(stop.json().success, true);
  assert.equal(stop.json().stopped, 'swarm');
  assert.equal(calls[0]?.hooks.signal?.aborted, true);
  await waitFor('the load to end', () => !session.adhocLoad.running());
  assert.equal((await app.inject({ method: 'GET', url: '/stats/requests' })).json().state, 'stopped');
});

test('without host the server\'s default target is used, and the engine failing to start is the answer', async (t) => {
  const failing: RunLoadFn = async () => {
    throw Object.assign(new Error('image grafana/k6:1.8.1 is not present'), { code: 'LOAD_ERR_ENGINE_MISSING' });
  };
  const { app } = await createKit(t, { runLoad: failing, web: { defaultTarget: 'http://127.0.0.1:18080' } });
  const res = await app.inject({ method: 'POST', url: '/swarm', payload: { user_count: 5, spawn_rate: 5 } });
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().code, 'SWEEP_ERR_LOAD');
  assert.match(res.json().hint, /npm run images/);
});
