/**
 * Starting, stopping and resuming sweeps over HTTP, on the real engine with the synthetic trial
 * executor (no Docker is claimed here; the Docker tier is docker-sweep-api.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createKit, SMALL_PLAN, waitFor } from './support/web-kit.js';

test('a bad plan is a 400 naming every offending key under plan.', async (t) => {
  const { app } = await createKit(t);
  const res = await app.inject({ method: 'POST', url: '/api/sweep', payload: { plan: { candidates: { cpus: [0.5, 'x'], replicas: [0] }, load: { ramp: 'soon' }, bogus: 1 } } });
  assert.equal(res.statusCode, 400);
  const body = res.json();
  assert.equal(body.code, 'SWEEP_ERR_PLAN_INVALID');
  assert.equal(body.success, false);
  for (const key of ['plan.candidates.cpus[1]', 'plan.candidates.replicas[0]', 'plan.load.ramp', 'plan.bogus']) assert.ok(body.keys.includes(key), `${key} in ${body.keys}`);
});

test('a body that is not a start request is a 400 naming its keys', async (t) => {
  const { app } = await createKit(t);
  const res = await app.inject({ method: 'POST', url: '/api/sweep', payload: { plan: [], run_id: '../x', extra: true } });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().code, 'SWEEP_ERR_BAD_REQUEST');
  assert.deepEqual(new Set(res.json().keys), new Set(['plan', 'run_id', 'extra']));
  const both = await app.inject({ method: 'POST', url: '/api/sweep', payload: { plan: {}, quick: true } });
  assert.equal(both.statusCode, 400);
  assert.deepEqual(both.json().keys, ['quick']);
  const notJson = await app.inject({ method: 'POST', url: '/api/sweep', headers: { 'content-type': 'application/json' }, payload: '{"plan":' });
  assert.equal(notJson.statusCode, 400);
  assert.equal(notJson.json().code, 'SWEEP_ERR_BAD_REQUEST');
});

test('a sweep started over HTTP runs to its end and its report is served', async (t) => {
  const { app, session } = await createKit(t);
  const res = await app.inject({ method: 'POST', url: '/api/sweep', payload: { plan: SMALL_PLAN, run_id: 'web-run' } });
  assert.equal(res.statusCode, 202, res.body);
  assert.equal(res.json().sweep.run_id, 'web-run');
  await session.sweep.settled();
  const status = (await app.inject({ method: 'GET', url: '/api/sweep' })).json();
  assert.equal(status.sweep.phase, 'done');
  assert.equal(status.state, 'stopped');
  assert.ok(status.sweep.trials_done >= 2);
  assert.match(status.sweep.minimum, /0\.25|0\.5/);
  const report = await app.inject({ method: 'GET', url: status.sweep.report.html });
  assert.equal(report.statusCode, 200);
  assert.match(report.headers['content-type'] as string, /text\/html/);
  assert.match(report.body, /<svg/);
  const summary = await app.inject({ method: 'GET', url: status.sweep.report.summary });
  assert.equal(summary.json().run_id, 'web-run');
  // only the run's renderings and data are served, and only for runs this server followed
  assert.equal((await app.inject({ method: 'GET', url: '/runs/web-run/run.json.tmp' })).statusCode, 404);
  assert.equal((await app.inject({ method: 'GET', url: '/runs/other/report.html' })).statusCode, 404);
  const snapshot = (await app.inject({ method: 'GET', url: '/api/snapshot' })).json();
  assert.equal(snapshot.sweep.trials.length, status.sweep.trials_done);
  assert.ok(snapshot.sweep.map.cells.some((c: { status: string; measured: boolean }) => c.status === 'pass' && c.measured));
});

test('a second sweep while one runs is a 409, and stopping keeps the finished trials', async (t) => {
  const { app, session, reportsRoot } = await createKit(t, { trialMs: 400 });
  assert.equal((await app.inject({ method: 'POST', url: '/api/sweep', payload: { plan: SMALL_PLAN, run_id: 'stop-me' } })).statusCode, 202);
  const busy = await app.inject({ method: 'POST', url: '/api/sweep', payload: { quick: true } });
  assert.equal(busy.statusCode, 409);
  assert.equal(busy.json().code, 'SWEEP_ERR_BUSY');
  await waitFor('a finished trial', () => session.view.snapshot().sweep?.trials.length);
  const stop = await app.inject({ method: 'POST', url: '/api/sweep/stop' });
  assert.equal(stop.statusCode, 202);
  assert.ok(['stopping', 'stopped'].includes(stop.json().sweep.phase));
  await session.sweep.settled();
  const status = (await app.inject({ method: 'GET', url: '/api/sweep' })).json();
  assert.equal(status.sweep.phase, 'stopped');
  const lines = (await readFile(path.join(reportsRoot, 'stop-me', 'results.jsonl'), 'utf8')).trim().split('\n');
  assert.equal(lines.length, status.sweep.trials_done, 'every finished trial is on disk');
  const again = await app.inject({ method: 'POST', url: '/api/sweep/stop' });
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().code, 'SWEEP_ERR_NOT_RUNNING');

  // resume: recorded trials are replayed, not run again, and the search completes
  const resumed = await app.inject({ method: 'POST', url: '/api/sweep/resume', payload: { run: 'stop-me' } });
  assert.equal(resumed.statusCode, 202, resumed.body);
  await session.sweep.settled();
  const done = (await app.inject({ method: 'GET', url: '/api/sweep' })).json();
  assert.equal(done.sweep.phase, 'done');
  const replayed = session.view.snapshot().sweep?.trials.length ?? 0;
  assert.ok(replayed > lines.length, 'the resumed sweep went on past the recorded trials');
});

test('resuming a run folder that does not exist is a 404 naming it', async (t) => {
  const { app } = await createKit(t);
  const res = await app.inject({ method: 'POST', url: '/api/sweep/resume', payload: { run: 'no-such-run' } });
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().code, 'SWEEP_ERR_RUN_NOT_FOUND');
  const bad = await app.inject({ method: 'POST', url: '/api/sweep/resume', payload: {} });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(bad.json().keys, ['run']);
});

test('unknown routes answer a JSON 404', async (t) => {
  const { app } = await createKit(t);
  const res = await app.inject({ method: 'GET', url: '/nope' });
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().code, 'SWEEP_ERR_NOT_FOUND');
});
