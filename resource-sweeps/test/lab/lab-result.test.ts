import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labResult, labRows, percentile } from '../../src/lab/lab-result.js';
import { drivePoisson } from '../../src/lab/poisson.js';
import { promValue } from '../../src/lab/prom-text.js';

test('Prometheus text values are found by name and labels', () => {
  const text = '# HELP x\nlab_queue_length 3\nlab_wait_seconds_sum 1.5\nlab_wait_seconds_count 10\nhttp_requests_total{route="/predict",status_code="200"} 42\n';
  assert.equal(promValue(text, 'lab_queue_length'), 3);
  assert.equal(promValue(text, 'lab_wait_seconds_sum'), 1.5);
  assert.equal(promValue(text, 'http_requests_total', { status_code: '200' }), 42);
  assert.equal(promValue(text, 'http_requests_total', { status_code: '500' }), null);
  assert.equal(promValue(text, 'missing'), null);
});

test('Poisson arrivals keep the asked rate with exponential gaps, never waiting for answers', async () => {
  const real = await drivePoisson({ lambda: 400, durationS: 1, send: () => new Promise((r) => setTimeout(() => r(200), 50)) });
  assert.ok(real.length > 300 && real.length < 500, `${real.length} arrivals in 1 s at 400/s`);
  assert.ok(real.every((a) => a.status === 200 && (a.latency_ms ?? 0) >= 45));
  // exponential gaps: mean 2.5 ms, and their coefficient of variation near 1
  const gaps = real.slice(1).map((a, i) => a.sent_ms - (real[i] as { sent_ms: number }).sent_ms);
  const m = gaps.reduce((x, y) => x + y, 0) / gaps.length;
  const sd = Math.sqrt(gaps.reduce((x, y) => x + (y - m) ** 2, 0) / gaps.length);
  assert.ok(sd / m > 0.6, `gaps look regular (cv ${sd / m}), not Poisson`);
});

test('the lab result sets measurements beside M/M/1 theory and computes utilisation from server counters', () => {
  const arrivals = Array.from({ length: 1000 }, (_, i) => ({ sent_ms: i * 25, latency_ms: 20 + (i % 10), status: 200 }));
  const r = labResult({
    lambda: 40,
    mu: 50,
    servers: 1,
    durationS: 25,
    warmupS: 5,
    arrivals,
    before: { wait_sum: 0, wait_count: 0, service_sum: 0, service_count: 0 },
    after: { wait_sum: 64, wait_count: 800, service_sum: 16, service_count: 800 },
    gauges: [
      { queue: 3, busy: 1 },
      { queue: 4, busy: 1 },
    ],
    createdAt: '2025-01-01T00:00:00Z',
  });
  assert.equal(r.measured.requests, 800);
  assert.equal(r.measured.achieved_lambda, 40);
  assert.equal(r.measured.utilisation, 0.8);
  assert.equal(r.measured.server_mean_response_ms, 100);
  assert.equal(r.theory.mean_response_ms, 100);
  assert.ok(Math.abs(r.theory.p95_response_ms - 1000 * Math.log(20) / 10) < 1e-9);
  assert.equal(r.measured.mean_queue_length, 3.5);
  assert.equal(r.measured.server_mean_service_ms, 20);
  // measured lambda 40 and service 20 ms are the nominal ones here: both theories agree
  assert.equal(r.theory_at_measured?.mean_response_ms, 100);
  const rows = labRows(r);
  assert.deepEqual(rows.find((row) => row[0] === 'utilisation per server'), ['utilisation per server', '0.800', '0.800', '0.0 %', '0.800']);
});

test('percentiles use the nearest rank', () => {
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95), 10);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5), 5);
  assert.equal(percentile([], 0.5), null);
});
