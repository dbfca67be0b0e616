/**
 * GET /events over a real socket (port 0): a snapshot first, then the engine's events as the
 * sweep emits them, the page's derived events and a stats tick; and the OpenAPI document
 * covering every endpoint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createKit, SMALL_PLAN, waitFor } from './support/web-kit.js';

async function readEvents(url: string, until: (names: string[]) => boolean, timeoutMs = 10_000): Promise<{ name: string; data: unknown }[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const events: { name: string; data: unknown }[] = [];
  try {
    const res = await fetch(url, { signal: controller.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    while (!until(events.map((e) => e.name))) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const name = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (name && data) events.push({ name, data: JSON.parse(data) });
      }
    }
    await reader.cancel();
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}

test('the event stream starts with a snapshot and forwards the sweep as it runs', async (t) => {
  const { app, session } = await createKit(t, { trialMs: 150 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const reading = readEvents(`http://127.0.0.1:${port}/events`, (names) => names.includes('sweep:end') && names.includes('view:state') && names.lastIndexOf('view:state') > names.indexOf('sweep:end'));
  await waitFor('a connected page', () => session.hub.size() === 1);
  const started = await fetch(`http://127.0.0.1:${port}/api/sweep`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ plan: SMALL_PLAN }) });
  assert.equal(started.status, 202);
  const events = await reading;
  const names = events.map((e) => e.name);
  assert.equal(names[0], 'snapshot');
  assert.equal(names[1], 'stats');
  for (const name of ['sweep:start', 'trial:start', 'trial:phase', 'trial:load', 'trial:end', 'summary:written', 'sweep:end', 'view:trial', 'view:map']) assert.ok(names.includes(name), `${name} in ${names.join(',')}`);
  assert.ok(names.indexOf('trial:start') < names.indexOf('trial:end'));
  const last = events.filter((e) => e.name === 'view:state').at(-1)?.data as { state: string; sweep: { phase: string } };
  assert.equal(last.sweep.phase, 'done');
  const map = events.filter((e) => e.name === 'view:map').at(-1)?.data as { map: { cells: { status: string }[] } };
  assert.ok(map.map.cells.every((c) => c.status !== 'unknown'), 'the map is filled in at the end');
});

test('a stats event arrives every tick while a page listens', async (t) => {
  const { app } = await createKit(t);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const events = await readEvents(`http://127.0.0.1:${port}/events`, (names) => names.filter((n) => n === 'stats').length >= 3, 5000);
  const stats = events.filter((e) => e.name === 'stats').map((e) => e.data as { windows: Record<string, unknown> });
  assert.ok(stats.length >= 3);
  assert.deepEqual(Object.keys(stats[0]?.windows ?? {}), ['1m', '5m', '1h']);
});

test('the OpenAPI document describes every endpoint with its schemas', async (t) => {
  const { app } = await createKit(t);
  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
  assert.equal(doc.openapi.slice(0, 2), '3.');
  const expected: Record<string, string[]> = {
    '/api/sweep': ['get', 'post'],
    '/api/sweep/stop': ['post'],
    '/api/sweep/resume': ['post'],
    '/api/snapshot': ['get'],
    '/swarm': ['post'],
    '/stop': ['get', 'post'],
    '/stats/requests': ['get'],
    '/api/balancer': ['get'],
    '/events': ['get'],
  };
  for (const [path, methods] of Object.entries(expected)) for (const m of methods) assert.ok(doc.paths[path]?.[m], `${m.toUpperCase()} ${path}`);
  const swarm = doc.paths['/swarm'].post.requestBody.content;
  assert.ok(swarm['application/x-www-form-urlencoded'] && swarm['application/json'], 'form-encoded and JSON');
  assert.ok(swarm['application/json'].schema.properties.user_count);
  const stats = doc.paths['/stats/requests'].get.responses['200'].content['application/json'].schema;
  for (const key of ['state', 'user_count', 'total_rps', 'fail_ratio', 'current_response_time_percentiles', 'stats', 'windows']) assert.ok(stats.properties[key], key);
  assert.ok(doc.paths['/api/sweep'].post.responses['400'], 'the 400 body is documented');
});
