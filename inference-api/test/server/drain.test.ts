// The drain on real loopback sockets: after it starts, a request sent on an open keep-alive
// connection is answered (with Connection: close), a request in flight finishes, a new
// connection is refused, and a connection left idle is closed cleanly by the server after the
// grace, never while a request is on it.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { trackConnections } from '../../src/drain.js';

type Answer = { status?: number; connection?: string; reused: boolean; error?: string; body?: string };

function get(agent: http.Agent, port: number, path: string): Promise<Answer> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, connection: res.headers.connection, reused: req.reusedSocket, body }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ reused: req.reusedSocket, error: err.code ?? err.message }));
  });
}

test('draining answers what arrives on open connections with Connection: close, refuses new ones, closes idle ones after the grace', async (t) => {
  const server = http.createServer((req, res) => {
    const delay = req.url === '/slow' ? 400 : 0;
    setTimeout(() => res.end(`ok ${req.url}`), delay);
  });
  server.keepAliveTimeout = 60_000;
  const drain = trackConnections(server, { idleGraceMs: 300, pollMs: 10 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  t.after(() => server.closeAllConnections());

  const busy = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const idle = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => (busy.destroy(), idle.destroy()));
  // two open keep-alive connections: one the client keeps using, one it leaves alone
  assert.equal((await get(busy, port, '/a')).status, 200);
  assert.equal((await get(idle, port, '/b')).status, 200);
  assert.equal(drain.connections(), 2);
  const idleSocket = Object.values(idle.freeSockets).flat()[0];
  assert.ok(idleSocket);
  const idleClosed = new Promise<{ hadError: boolean; at: number }>((r) => idleSocket.once('close', (hadError) => r({ hadError, at: Date.now() })));

  const slow = get(busy, port, '/slow'); // in flight when the drain starts
  await new Promise((r) => setTimeout(r, 50));
  const started = Date.now();
  const drained = drain.drain({ deadline: started + 5_000 });
  assert.equal(drain.draining, true);

  const inFlight = await slow;
  assert.equal(inFlight.status, 200, 'the request in flight is answered');
  assert.equal(inFlight.connection, 'close');
  // the busy connection was closed after that answer; a fresh one is refused: the listener is closed
  const fresh = await get(new http.Agent({ keepAlive: false }), port, '/late');
  assert.equal(fresh.error, 'ECONNREFUSED');

  const closed = await idleClosed;
  assert.equal(closed.hadError, false, 'the idle connection ends cleanly (FIN), not reset');
  assert.ok(closed.at - started >= 290, `closed ${closed.at - started} ms after the drain began: only after the grace`);
  const result = await drained;
  assert.equal(result.remaining, 0);
  assert.equal(result.closedIdle, 1);
  assert.equal(result.closedAfterAnswer, 1);
  assert.equal(result.answered, 1);
  assert.equal(server.listening, false);
});

test('a request sent on an idle keep-alive connection during the grace is answered, then that connection closes', async (t) => {
  const server = http.createServer((_req, res) => res.end('ok'));
  const drain = trackConnections(server, { idleGraceMs: 500, pollMs: 10 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  t.after(() => server.closeAllConnections());
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  assert.equal((await get(agent, port, '/first')).status, 200);
  const drained = drain.drain({ deadline: Date.now() + 5_000 });
  await new Promise((r) => setTimeout(r, 200)); // idle, but within the grace
  const again = await get(agent, port, '/again');
  assert.deepEqual({ status: again.status, connection: again.connection, reused: again.reused }, { status: 200, connection: 'close', reused: true });
  const result = await drained;
  assert.deepEqual({ remaining: result.remaining, closedIdle: result.closedIdle, closedAfterAnswer: result.closedAfterAnswer }, { remaining: 0, closedIdle: 0, closedAfterAnswer: 1 });
  assert.ok(result.ms < 450, `done as soon as the last connection closed (${result.ms} ms), not at the end of the grace`);
});
