/**
 * The stats CSV in fixtures/ was read from the real HAProxy 2.6 of the compose stack (2 API
 * replicas, 32 server-template slots, trimmed to 4 of them); the Docker tier reads it live.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { parseBalancerCsv } from '../../src/adapters/balancer-view.js';

const csv = () => readFile(new URL('./fixtures/haproxy-stats.csv', import.meta.url), 'utf8');

test('the backends are the replicas with an address, with their rates, answers and response time', async () => {
  const view = parseBalancerCsv(await csv(), { source: 'fixture', now: new Date(0) });
  assert.deepEqual(view.servers.map((s) => s.server), ['api1', 'api2']);
  assert.equal(view.up, 2);
  const api2 = view.servers[1];
  assert.equal(api2?.address, '192.168.224.3:8000');
  assert.equal(api2?.rate, 1);
  assert.equal(api2?.response_time_ms, 20);
  assert.deepEqual(api2?.responses, { '2xx': 5, '4xx': 1, '5xx': 0 });
  assert.equal(view.backend?.requests_total, 15);
  assert.equal(view.frontend?.requests_total, 15);
});

test('empty slots of the server template are not backends', async () => {
  const view = parseBalancerCsv(await csv(), { source: 'fixture' });
  assert.ok(view.servers.every((s) => s.status !== 'MAINT (resolution)'));
});

test('text that is not HAProxy CSV is refused', () => {
  assert.throws(() => parseBalancerCsv('<html>nope</html>', { source: 'x' }), /not HAProxy stats CSV/);
});
