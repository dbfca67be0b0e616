/**
 * Binding and who may steer: loopback by default, anywhere else only with a token, the token
 * required on every mutating endpoint and on the event stream, and browsers' cross-site
 * requests refused even on loopback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SweepError } from '../../src/errors.js';
import { isLoopbackHost, parseWebOptions } from '../../src/web/web-options.js';
import { createKit } from './support/web-kit.js';

const TOKEN = 'a-long-enough-token-1234';

function refused(fn: () => unknown): SweepError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SweepError);
    return e;
  }
  assert.fail('expected a refusal');
}

test('the server binds to 127.0.0.1 unless told otherwise', () => {
  assert.equal(parseWebOptions({ reportsRoot: '/tmp' }).host, '127.0.0.1');
  assert.ok(isLoopbackHost('127.0.0.1') && isLoopbackHost('::1') && isLoopbackHost('localhost') && isLoopbackHost('[::1]'));
  assert.ok(!isLoopbackHost('0.0.0.0') && !isLoopbackHost('10.1.2.3'));
});

test('binding beyond loopback without a token refuses to start, naming --token', () => {
  const e = refused(() => parseWebOptions({ reportsRoot: '/tmp', host: '0.0.0.0' }));
  assert.equal(e.code, 'SWEEP_ERR_ARGS');
  assert.equal(e.key, '--token');
  assert.equal(refused(() => parseWebOptions({ reportsRoot: '/tmp', host: '0.0.0.0', token: 'short' })).key, '--token');
  assert.equal(parseWebOptions({ reportsRoot: '/tmp', host: '0.0.0.0', token: TOKEN }).host, '0.0.0.0');
  assert.equal(refused(() => parseWebOptions({ reportsRoot: '/tmp', port: 70000 })).key, '--port');
});

test('with a token, mutating endpoints and the event stream need it; reads do not', async (t) => {
  const { app } = await createKit(t, { web: { token: TOKEN } });
  for (const [method, url] of [['POST', '/api/sweep'], ['POST', '/api/sweep/stop'], ['POST', '/api/sweep/resume'], ['POST', '/swarm'], ['GET', '/stop'], ['POST', '/stop'], ['GET', '/events']] as const) {
    const res = await app.inject({ method, url, payload: method === 'POST' ? {} : undefined });
    assert.equal(res.statusCode, 401, `${method} ${url}`);
    assert.equal(res.json().code, 'SWEEP_ERR_UNAUTHORIZED');
    assert.equal(res.headers['www-authenticate'], 'Bearer');
    const wrong = await app.inject({ method, url, headers: { authorization: `Bearer ${TOKEN}x` }, payload: method === 'POST' ? {} : undefined });
    assert.equal(wrong.statusCode, 401, `${method} ${url} with a wrong token`);
  }
  const ok = await app.inject({ method: 'GET', url: '/stop', headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.json().stopped, null);
  for (const url of ['/', '/api/sweep', '/stats/requests', '/docs/json']) assert.equal((await app.inject({ method: 'GET', url })).statusCode, 200, url);
});

test('a browser request sent by another site cannot start or stop load, even on loopback', async (t) => {
  const { app } = await createKit(t);
  const crossSite = await app.inject({ method: 'POST', url: '/swarm', headers: { 'sec-fetch-site': 'cross-site', 'content-type': 'application/x-www-form-urlencoded' }, payload: 'user_count=10&spawn_rate=1' });
  assert.equal(crossSite.statusCode, 403);
  assert.equal(crossSite.json().code, 'SWEEP_ERR_FORBIDDEN');
  const foreignOrigin = await app.inject({ method: 'POST', url: '/api/sweep/stop', headers: { origin: 'http://evil.example', host: '127.0.0.1:8089' } });
  assert.equal(foreignOrigin.statusCode, 403);
  const sameOrigin = await app.inject({ method: 'POST', url: '/stop', headers: { origin: 'http://127.0.0.1:8089', host: '127.0.0.1:8089', 'sec-fetch-site': 'same-origin' } });
  assert.equal(sameOrigin.statusCode, 200);
});

test('on loopback, a Host that is not a loopback name is refused (DNS rebinding)', async (t) => {
  const { app } = await createKit(t);
  const res = await app.inject({ method: 'GET', url: '/api/sweep', headers: { host: 'attacker.example:8089' } });
  assert.equal(res.statusCode, 403);
  assert.equal(res.json().code, 'SWEEP_ERR_FORBIDDEN');
  assert.equal((await app.inject({ method: 'GET', url: '/api/sweep', headers: { host: 'localhost:8089' } })).statusCode, 200);
});
