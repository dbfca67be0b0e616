import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMmcQueue, seededRandom } from '../../src/lab/mmc-queue.js';
import { createTestApp } from '../helpers/app.js';

/** A manual clock: timers fire when the test advances time. */
function fakeClock() {
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => now,
    schedule: (fn: () => void, ms: number) => void timers.push({ at: now + ms / 1000, fn }),
    async advanceTo(t: number) {
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > t) break;
        timers.shift();
        now = next.at;
        next.fn();
        await Promise.resolve();
      }
      now = t;
    },
  };
}

describe('M/M/c queue', () => {
  it('serves c requests at once and queues the rest FIFO', async () => {
    const clock = fakeClock();
    const q = createMmcQueue({ servers: 2, mu: 1, random: () => 1 - Math.exp(-1), now: clock.now, schedule: clock.schedule });
    // random() chosen so every service time is exactly 1/mu = 1 s.
    const visits = [q.enter(), q.enter(), q.enter(), q.enter(), q.enter()];
    assert.deepEqual([q.busyServers(), q.queueLength()], [2, 3]);
    await clock.advanceTo(3.5);
    const waits = (await Promise.all(visits)).map((v) => Math.round(v.waitSeconds * 1000) / 1000);
    assert.deepEqual(waits, [0, 0, 1, 1, 2]);
    assert.deepEqual([q.busyServers(), q.queueLength()], [0, 0]);
  });
  it('draws exponential service times with mean 1/mu', () => {
    const random = seededRandom(42);
    const mu = 20;
    const n = 20000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += -Math.log(1 - random()) / mu;
    assert.ok(Math.abs(sum / n - 1 / mu) < 0.05 / mu, `mean ${sum / n}`);
  });
  it('repeats exactly with the same seed', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    assert.deepEqual([a(), a(), a()], [b(), b(), b()]);
  });
});

describe('LAB_MODE=mmc', () => {
  it('turns POST /predict into a queue and exposes lab_* metrics', async (t) => {
    const app = await createTestApp(t, { LAB_MODE: 'mmc', LAB_MU: '200', LAB_SERVERS: '1', LAB_SEED: '3' });
    const send = () => app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: '{"anything": true}' });
    const answers = await Promise.all([send(), send(), send()]);
    assert.deepEqual(answers.map((a) => a.statusCode), [200, 200, 200]);
    const bodies = answers.map((a) => a.json().lab);
    assert.equal(bodies[0].waitMs < 1, true, 'the first request finds the server free');
    assert.ok(bodies[2].waitMs >= bodies[1].serviceMs, 'the third waits at least as long as the second was served');
    const metrics = (await app.inject('/metrics')).body;
    for (const name of ['lab_queue_length 0', 'lab_busy_servers 0', 'lab_wait_seconds_count 3', 'lab_service_seconds_count 3', 'lab_servers 1', 'lab_mu 200']) {
      assert.match(metrics, new RegExp(`^${name}$`, 'm'), name);
    }
  });
});
