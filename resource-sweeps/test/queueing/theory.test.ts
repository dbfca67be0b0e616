import { test } from 'node:test';
import assert from 'node:assert/strict';
import { erlangC, queueTheory, responsePercentile, responseTail } from '../../src/queueing/theory.js';
import { createRandom } from '../support/synthetic-oracle.js';

const close = (actual: number, expected: number, rel = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${actual} is not within ${rel} of ${expected}`);

test('M/M/1 gives W = 1/(mu - lambda), L = rho/(1 - rho) and p95 = ln 20/(mu - lambda)', () => {
  const t = queueTheory({ lambda: 80, mu: 100, servers: 1 });
  close(t.rho, 0.8);
  close(t.p_wait, 0.8);
  close(t.mean_response_s, 1 / 20);
  close(t.mean_in_system, 0.8 / 0.2);
  close(t.mean_queue_length, (0.8 * 0.8) / 0.2);
  close(t.p95_response_s, Math.log(20) / 20);
});

test('Erlang C matches the textbook closed form for small c', () => {
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  for (const [c, a] of [
    [2, 1.5],
    [3, 2.4],
    [5, 4.1],
    [8, 2],
  ] as const) {
    const rho = a / c;
    const top = a ** c / fact(c) / (1 - rho);
    let sum = 0;
    for (let k = 0; k < c; k++) sum += a ** k / fact(k);
    close(erlangC(c, a), top / (sum + top));
  }
});

test('a known M/M/2 case: lambda 3, mu 2 gives P(wait) = 9/14', () => {
  // a = 1.5, rho = 0.75: C = (1.125 / 0.25) / (1 + 1.5 + 4.5) = 4.5 / 7 = 0.642857
  const t = queueTheory({ lambda: 3, mu: 2, servers: 2 });
  close(t.p_wait, 4.5 / 7);
  close(t.mean_wait_s, 4.5 / 7 / (4 - 3));
  close(t.mean_response_s, 4.5 / 7 + 0.5);
});

test('the M/M/c response-time tail agrees with a simulation of the queue', () => {
  const params = { lambda: 7, mu: 2, servers: 4 };
  const random = createRandom(42);
  const exp = (rate: number) => -Math.log(1 - random()) / rate;
  const free = Array.from({ length: params.servers }, () => 0);
  let t = 0;
  const times: number[] = [];
  for (let i = 0; i < 200_000; i++) {
    t += exp(params.lambda);
    free.sort((a, b) => a - b);
    const start = Math.max(t, free[0] as number);
    const end = start + exp(params.mu);
    free[0] = end;
    if (i > 5000) times.push(end - t);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const theory = queueTheory(params);
  close(mean, theory.mean_response_s, 0.03);
  close(times[Math.floor(times.length * 0.95)] as number, theory.p95_response_s, 0.03);
  close(responseTail(params, theory.p95_response_s), 0.05, 1e-6);
});

test('the general M/M/c tail reduces to the exponential tail of M/M/1 when c = 1', () => {
  const p = { lambda: 40, mu: 50, servers: 1 };
  for (const t of [0.01, 0.1, 0.3]) close(responseTail(p, t), Math.exp(-10 * t), 1e-9);
  close(responsePercentile(p, 0.99), Math.log(100) / 10);
});

test('an overloaded queue is reported unstable with infinite waits, not a negative time', () => {
  const t = queueTheory({ lambda: 120, mu: 100, servers: 1 });
  assert.equal(t.stable, false);
  assert.equal(t.mean_response_s, Infinity);
  assert.equal(t.p_wait, 1);
});

test('nonsense parameters are refused with the values named', () => {
  assert.throws(() => queueTheory({ lambda: 0, mu: 10, servers: 1 }), /lambda=0/);
  assert.throws(() => queueTheory({ lambda: 1, mu: 10, servers: 1.5 }), /servers=1.5/);
});
