import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { warmUp } from '../../src/adapters/warmup.js';
import { requestBody, requestPath } from '../../src/adapters/request-body.js';

test('warm-up sends closed-loop requests for its duration and counts statuses', async (t) => {
  const bodies: string[] = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      bodies.push(body);
      res.statusCode = ++n % 10 === 0 ? 503 : 200;
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const { port } = server.address() as AddressInfo;
  const result = await warmUp({ url: `http://127.0.0.1:${port}${requestPath('rightsize')}`, bodies: [requestBody('rightsize', { a: 1 })], concurrency: 4, durationS: 0.5 });
  assert.ok(result.requests > 10);
  assert.equal(result.requests, result.ok + result.failed);
  assert.equal(result.statuses['503'], result.failed);
  assert.equal(bodies[0], '{"a":1}');
});

test('the MLflow protocol wraps a row as dataframe_records and posts to /invocations', () => {
  assert.equal(requestPath('mlflow'), '/invocations');
  assert.deepEqual(JSON.parse(requestBody('mlflow', { a: 1 })), { dataframe_records: [{ a: 1 }] });
});
