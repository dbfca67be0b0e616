// Admission control: past MAX_INFLIGHT requests are refused at once with 503 + Retry-After.
// The queueing lab holds requests for a seeded exponential time, so "in flight" is deterministic.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createTestApp } from '../helpers/app.js';

it('refuses requests past MAX_INFLIGHT with 503 and Retry-After, counts them, and frees slots afterwards', async (t) => {
  const app = await createTestApp(t, { LAB_MODE: 'mmc', LAB_MU: '4', LAB_SERVERS: '1', LAB_SEED: '1', MAX_INFLIGHT: '2', RETRY_AFTER_SECONDS: '3' });
  const send = () => app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: '{}' });
  const held = [send(), send()];
  await new Promise((r) => setImmediate(r));
  assert.equal(app.ctx.admission.inflight(), 2);
  const started = Date.now();
  const refused = await send();
  assert.ok(Date.now() - started < 200, 'refused without waiting');
  assert.equal(refused.statusCode, 503);
  assert.equal(refused.headers['retry-after'], '3');
  assert.equal(refused.json().code, 'PREDICT_ERR_OVERLOADED');
  const done = await Promise.all(held);
  assert.deepEqual(done.map((r) => r.statusCode), [200, 200]);
  assert.equal(app.ctx.admission.inflight(), 0, 'slots are returned');
  const metrics = (await app.inject('/metrics')).body;
  assert.match(metrics, /^inference_requests_rejected_total\{reason="overload"\} 1$/m);
  assert.match(metrics, /^http_requests_total\{route="\/predict",method="POST",status_code="503"\} 1$/m, 'counted once');
  assert.equal((await send()).statusCode, 200);
});

it('answers 503 in MLflow form on /invocations when overloaded', async (t) => {
  const app = await createTestApp(t, { LAB_MODE: 'mmc', LAB_MU: '4', LAB_SEED: '1', MAX_INFLIGHT: '1' });
  const held = app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: '{}' });
  await new Promise((r) => setImmediate(r));
  const res = await app.inject({ method: 'POST', url: '/invocations', headers: { 'content-type': 'application/json' }, payload: '{}' });
  assert.equal(res.statusCode, 503);
  assert.equal(JSON.parse(res.body).error_code, 'TEMPORARILY_UNAVAILABLE');
  await held;
});
