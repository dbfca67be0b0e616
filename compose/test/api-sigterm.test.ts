// Docker tier: SIGTERM while the image is under load. Clients keep 32 keep-alive connections
// busy with /predict on a 0.5-CPU container (so requests queue and are in flight when the
// signal lands), then `docker kill --signal SIGTERM`. Every request sent on an open connection
// must get a complete HTTP response (the drain, inference-api/src/drain.ts): zero resets and
// zero EOFs on a reused keep-alive socket. The only errors allowed are the ones that prove a
// request was NOT accepted: connection refused (the listener is closed), a connection opened
// after the signal that the closing listener never accepted (no byte of a response received),
// and, once the container has exited, an unreachable address.
import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, it } from 'node:test';
import { createDocker } from '../src/docker.js';
import { createOwner, ownerLabels, registerCleanup, requireDocker } from '../src/testing.js';
import { readGolden } from './helpers/golden.js';
import { API_IMAGE } from './helpers/image-names.js';

const docker = createDocker();

type Outcome = { start: number; end: number; status?: number; error?: string; reused: boolean; gotBytes: boolean };

function send(agent: http.Agent, host: string, body: string): Promise<Outcome> {
  const start = performance.now();
  return new Promise((resolve) => {
    let gotBytes = false;
    const req = http.request({ host, port: 8000, path: '/predict', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: 15_000 }, (res) => {
      gotBytes = true;
      res.resume();
      res.on('end', () => resolve({ start, end: performance.now(), status: res.statusCode, reused: req.reusedSocket, gotBytes }));
      res.on('error', (err) => resolve({ start, end: performance.now(), error: (err as NodeJS.ErrnoException).code ?? err.message, reused: req.reusedSocket, gotBytes }));
    });
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', (err) => resolve({ start, end: performance.now(), error: (err as NodeJS.ErrnoException).code ?? err.message, reused: req.reusedSocket, gotBytes }));
    req.end(body);
  });
}

/**
 * Errors that show the server never took the request: refused (listener closed), unreachable
 * (container gone), or reset before any response byte on a NEW connection opened after SIGTERM
 * that sat in the kernel's accept queue when the listener closed (the server had stopped
 * accepting by then). A reset or EOF on a reused keep-alive socket is a request lost: never allowed.
 */
function notAccepted(o: Outcome, killAt: number): boolean {
  if (o.error === 'ECONNREFUSED' || o.error === 'EHOSTUNREACH') return true;
  const resetEarly = !o.gotBytes && ['ECONNRESET', 'EPIPE', 'socket hang up'].includes(o.error ?? '');
  return resetEarly && !o.reused && o.start >= killAt;
}

describe('rightsize-api image on SIGTERM', () => {
  it('lets every accepted request finish while under load, then exits 0', { timeout: 120_000 }, async (t) => {
    if (!(await requireDocker(t, { images: [API_IMAGE] }))) return;
    const owner = createOwner('api-sigterm');
    registerCleanup(t, owner);
    // Our own network: load goes to a container on a network this test created, not via docker-proxy.
    await docker.networkCreate({ name: owner, labels: ownerLabels(owner) });
    const id = await docker.run({ image: API_IMAGE, labels: ownerLabels(owner), network: owner, cpus: 0.5, memory: '256m', readOnly: true, tmpfs: ['/tmp'], stopTimeoutSec: 20 });
    await docker.waitHealthy(id, { timeoutMs: 60_000 });
    const host = (await docker.inspect(id)).NetworkSettings.Networks?.[owner]?.IPAddress;
    assert.ok(host, 'container has an address on the test network');

    const rows = readGolden().rows.map((r) => JSON.stringify(r));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    t.after(() => agent.destroy());
    const outcomes: Outcome[] = [];
    let stopAt = Infinity;
    const client = async (k: number) => {
      for (let n = 0; performance.now() < stopAt; n++) {
        const o = await send(agent, host, rows[(k * 7 + n) % rows.length]!);
        outcomes.push(o);
        if (o.error === 'ECONNREFUSED' || o.error === 'EHOSTUNREACH') await new Promise((r) => setTimeout(r, 50));
      }
    };
    const clients = Array.from({ length: 32 }, (_, k) => client(k));
    await new Promise((r) => setTimeout(r, 3000));
    const killAt = performance.now();
    await docker.kill(id, 'SIGTERM');
    const exitCode = await docker.wait(id, 60_000);
    stopAt = performance.now() + 500;
    await Promise.all(clients);

    const before = outcomes.filter((o) => o.start < killAt);
    const inFlight = before.filter((o) => o.end > killAt);
    const cutOff = outcomes.filter((o) => o.error !== undefined && !notAccepted(o, killAt));
    t.diagnostic(`requests ${outcomes.length}, started before SIGTERM ${before.length}, in flight at SIGTERM ${inFlight.length} (${inFlight.filter((o) => o.status === 200).length} answered 200), not accepted (after SIGTERM) ${outcomes.filter((o) => o.error !== undefined && notAccepted(o, killAt)).length}`);
    assert.ok(before.filter((o) => o.status === 200).length > 100, 'the container was under load');
    assert.ok(inFlight.length > 0, 'requests were in flight when the signal landed');
    const onReused = outcomes.filter((o) => o.error !== undefined && o.reused);
    assert.deepEqual(onReused.map((o) => o.error), [], 'no reset and no EOF on an open keep-alive connection');
    assert.deepEqual(cutOff.map((o) => o.error), [], `no accepted request was cut off: ${JSON.stringify(cutOff.slice(0, 8).map((o) => ({ ...o, start: Math.round(o.start - killAt), end: Math.round(o.end - killAt) })))}`);
    const afterOnOpen = outcomes.filter((o) => o.start >= killAt && o.reused && o.status !== undefined);
    t.diagnostic(`answered after SIGTERM on connections already open: ${afterOnOpen.length}`);
    assert.ok(before.every((o) => o.status === 200 || notAccepted(o, killAt)), 'every request sent before SIGTERM was answered 200');
    assert.ok(outcomes.every((o) => o.status === undefined || o.status === 200 || o.status === 503), 'answers are 200, or 503 while closing');
    assert.equal(exitCode, 0);
  });
});
