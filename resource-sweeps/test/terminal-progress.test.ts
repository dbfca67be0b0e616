import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createSweepEmitter } from '../src/engine/events.js';
import { attachTerminalProgress, formatStatus, formatTrialEnd } from '../src/terminal/progress.js';
import { makeRecord } from './support/fixtures.js';

const progress = { trials_done: 1, trials_left: 3, eta_s: 300 };

test('the status line shows trial, step, users, req/s, p95, errors, trials done and left, and ETA', () => {
  const line = formatStatus(
    {
      trial: { index: 2, attempt: 1, config: { replicas: 2, cpus: 0.5, memory_mib: 256 }, start_users: 500, known_held_users: 0, progress },
      phase: 'load',
      load: { index: 2, users: 1480, step_users: 1500, elapsed_s: 30, rps: 812.4, error_rate: 0.0021, p95_ms: 143.2 },
      done: 1,
      left: 3,
      eta_s: 300,
      trial_started_ms: 0,
    },
    65_000,
  );
  assert.equal(line, '[1 done, ~3 left, ETA 5m] #2 2 x (0.5 CPU, 256m) step 1,500 users (1,480 VUs) 812 req/s p95 143 ms err 0.21 % 1m5s');
});

test('finished trials print as PASS, FAIL with the reason, or INVALID', () => {
  const pass = makeRecord({ index: 0, config: { replicas: 1, cpus: 1, memory_mib: 256 }, steps: [500, 1000, 1500, 2000].map((users) => ({ users })) });
  const fail = makeRecord({ index: 1, config: { replicas: 1, cpus: 0.5, memory_mib: 256 }, steps: [{ users: 500 }, { users: 1000, p95: 300 }] });
  const invalid = makeRecord({ index: 2, config: { replicas: 1, cpus: 0.5, memory_mib: 256 }, steps: [{ users: 500 }, { users: 1000, generatorValid: false }] });
  assert.match(formatTrialEnd({ record: pass, progress }), /^ {2}PASS #0 1 x \(1 CPU, 256m\): held 2,000 users \(the target\)/);
  assert.match(formatTrialEnd({ record: fail, progress }), /FAIL #1 .*held 500, failed at 1,000: p95 300 ms > 200 ms/);
  assert.match(formatTrialEnd({ record: invalid, progress }), /INVALID #2 .*not counted against the API/);
});

test('without a terminal, progress is plain lines: no carriage returns or escape codes', () => {
  let text = '';
  const out = new Writable({ write: (chunk, _e, cb) => ((text += String(chunk)), cb()) });
  const events = createSweepEmitter();
  const detach = attachTerminalProgress(events, { out, live: false, plainEveryS: 0 });
  events.emit('trial:start', { index: 0, attempt: 1, config: { replicas: 1, cpus: 1, memory_mib: 256 }, start_users: 500, known_held_users: 0, progress });
  events.emit('trial:phase', { index: 0, phase: 'load', detail: '500 to 2000 users' });
  events.emit('trial:load', { index: 0, users: 500, step_users: 500, elapsed_s: 3, rps: 250, error_rate: 0, p95_ms: null });
  events.emit('warning', { message: 'something odd' });
  detach();
  assert.match(text, /trial #0: 1 x \(1 CPU, 256m\), load from 500 users/);
  assert.match(text, /step 500 users \(500 VUs\) 250 req\/s p95 - err 0.00 %/);
  assert.match(text, /warning: something odd/);
  assert.doesNotMatch(text, /\r|\x1b/);
});
