// The bounded-waiting rule (src/overload.ts): the defaults it gives at the CPU limits a sweep
// tries, what an explicit value overrides, and that a running app applies them (GET /model).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveOverloadLimits } from '../../src/overload.js';
import { createTestApp } from '../helpers/app.js';

const AUTO = { maxInflight: 'auto', listenBacklog: 'auto', maxConnections: 'auto', requestTimeoutMs: 'auto', latencyObjectiveMs: 200, requestCpuUs: 200 } as const;

test('the rule at 0.1, 0.25, 0.5 and 1 CPU with the defaults (200 ms objective, 200 us per request): the README table', () => {
  const rows = [0.1, 0.25, 0.5, 1].map((cpus) => {
    const l = deriveOverloadLimits(AUTO, cpus);
    return [cpus, l.capacityPerS, l.maxInflight, l.listenBacklog, l.maxConnections, l.requestTimeoutMs];
  });
  assert.deepEqual(rows, [
    [0.1, 500, 100, 100, 1024, 2000],
    [0.25, 1250, 250, 250, 1024, 2000],
    [0.5, 2500, 500, 500, 2000, 2000],
    [1, 5000, 1000, 1000, 4000, 2000],
  ]);
});

test('explicit values win, and only the rest are "auto"; tiny limits keep working floors', () => {
  const l = deriveOverloadLimits({ ...AUTO, maxInflight: 32, requestTimeoutMs: 5000 }, 0.25);
  assert.deepEqual({ maxInflight: l.maxInflight, backlog: l.listenBacklog, conns: l.maxConnections, timeout: l.requestTimeoutMs, auto: l.auto }, { maxInflight: 32, backlog: 64, conns: 1024, timeout: 5000, auto: ['LISTEN_BACKLOG', 'MAX_CONNECTIONS'] });
  const tiny = deriveOverloadLimits({ ...AUTO, latencyObjectiveMs: 10 }, 0.05);
  assert.equal(tiny.maxInflight, 8);
  assert.equal(tiny.requestTimeoutMs, 1000);
  const big = deriveOverloadLimits(AUTO, 64);
  assert.equal(big.listenBacklog, 4096, 'the backlog stops at 4096 (somaxconn caps it anyway)');
});

test('the app applies the limits it derived, and GET /model says which were "auto"', async (t) => {
  const app = await createTestApp(t, { LATENCY_OBJECTIVE_MS: '100', MAX_CONNECTIONS: '3000' });
  assert.equal(app.ctx.overload.maxInflight, 500, '1 CPU (the test sizing) x 100 ms / 200 us');
  assert.equal(app.ctx.admission.limit, 500);
  assert.equal(app.server.requestTimeout, 1000);
  assert.equal(app.server.headersTimeout, 1000);
  const res = await app.inject({ method: 'GET', url: '/model' });
  const overload = res.json().runtime.overload;
  assert.deepEqual(overload, { capacityPerS: 5000, maxInflight: 500, listenBacklog: 500, maxConnections: 3000, requestTimeoutMs: 1000, auto: ['MAX_INFLIGHT', 'LISTEN_BACKLOG', 'REQUEST_TIMEOUT_MS'] });
});
