// The server as a real process, started the way `npm start` starts it.
import assert from 'node:assert/strict';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES } from '../helpers/paths.js';
import { runApiExpectingExit, startApi } from '../helpers/processes.js';

const canConnect = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

const logLine = (output: string, msg: RegExp) =>
  output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => msg.test(String(l['msg'])));

describe('startup', () => {
  it('exits 2 before listening and names every bad variable', async (t) => {
    const r = await runApiExpectingExit(t, { PORT: 'x', MAX_INFLIGHT: '0', LAB_MODE: 'queue' });
    assert.equal(r.code, 2);
    for (const name of ['PORT', 'MAX_INFLIGHT', 'LAB_MODE']) assert.match(r.output, new RegExp(`- ${name}: `), name);
    assert.doesNotMatch(r.output, /listening/);
  });
  it('exits 1 with PREDICT_ERR_MODEL_URI when the model folder does not exist', async (t) => {
    const r = await runApiExpectingExit(t, { MODEL_URI: 'no/such/model' });
    assert.equal(r.code, 1);
    assert.match(r.output, /PREDICT_ERR_MODEL_URI: MODEL_URI="[^"]*no\/such\/model": no such folder/);
  });
  it('exits 1 saying which port is taken', async (t) => {
    const blocker = createServer().listen(0, '127.0.0.1');
    t.after(() => new Promise<void>((r) => blocker.close(() => r())));
    await new Promise((r) => blocker.once('listening', r));
    const port = (blocker.address() as { port: number }).port;
    const r = await runApiExpectingExit(t, { PORT: String(port) });
    assert.equal(r.code, 1);
    assert.match(r.output, new RegExp(`PORT ${port} on 127.0.0.1 is already in use`));
  });
  it('logs thread counts and the memory limit, and sizes both from the cgroup (v2 fixture: 0.5 CPU, 256 MiB)', async (t) => {
    const api = await startApi(t, { CGROUP_ROOT: join(FIXTURES, 'cgroup/v2-limited') });
    const line = logLine(api.output(), /listening on/);
    assert.ok(line, api.output());
    assert.equal(line['mode'], 'worker', 'a memory limit puts the server in a heap-limited worker');
    assert.equal(line['cpuQuota'], 0.5);
    assert.equal(line['intraOpThreads'], 1);
    assert.equal(line['memoryLimitBytes'], 256 * 2 ** 20);
    assert.equal(line['heapLimitMb'], 160);
    const info = (await (await fetch(`${api.url}/model`)).json()) as { runtime: { heapLimitMb: number; v8HeapSizeLimitBytes: number; cpus: number } };
    assert.equal(info.runtime.cpus, 0.5);
    const heapMb = info.runtime.v8HeapSizeLimitBytes / 2 ** 20;
    assert.ok(heapMb >= 160 && heapMb < 240, `V8 heap limit in the serving thread is ${heapMb} MiB`);
  });
});

describe('graceful shutdown on SIGTERM', () => {
  for (const mode of ['main thread', 'heap-limited worker']) {
    it(`turns readiness false, refuses new connections, finishes in-flight requests and exits 0 (${mode})`, async (t) => {
      const api = await startApi(t, {
        LAB_MODE: 'mmc',
        LAB_MU: '2',
        LAB_SEED: '5',
        LAB_SERVERS: '4',
        SHUTDOWN_DELAY_MS: '400',
        ...(mode === 'heap-limited worker' ? { HEAP_LIMIT_MB: '128' } : { HEAP_LIMIT_MB: 'off' }),
      });
      const inflight = Array.from({ length: 4 }, () =>
        fetch(`${api.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => r.status),
      );
      await new Promise((r) => setTimeout(r, 100));
      const sent = Date.now();
      api.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 150));
      const ready = await fetch(`${api.url}/health/ready`);
      assert.equal(ready.status, 503, 'readiness is false while draining');
      await new Promise((r) => setTimeout(r, 450));
      assert.equal(await canConnect(api.url), false, 'new connections are refused once the drain delay is over');
      assert.deepEqual(await Promise.all(inflight), [200, 200, 200, 200], 'in-flight requests finish');
      const exit = await api.exited;
      assert.equal(exit.code, 0, api.output().slice(-2000));
      assert.match(api.output(), /"msg":"closed"/, 'the last log line is not lost when the worker exits');
      assert.ok(Date.now() - sent < 10_000, 'exits within 10 s');
    });
  }
});
