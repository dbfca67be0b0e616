import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSchedule, integrateTarget, stepAt, userLevels, type ScheduleInput } from '../k6/lib/schedule.js';

const workshop: ScheduleInput = { scenario: 'steps', startUsers: 500, maxUsers: 10_000, stepUsers: 500, rates: [], rampS: 10, holdS: 60, thinkMinS: 1, thinkMaxS: 2.5 };

test('the workshop plan steps 500 users at a time up to 10,000 in 20 contiguous windows', () => {
  const schedule = buildSchedule(workshop);
  assert.equal(schedule.model, 'closed');
  assert.equal(schedule.steps.length, 20);
  assert.deepEqual(schedule.steps.slice(0, 3).map((s) => s.target), [500, 1000, 1500]);
  assert.equal(schedule.steps[19]!.target, 10_000);
  schedule.steps.forEach((s, i) => {
    assert.equal(s.holdStartS - s.rampStartS, 10);
    assert.equal(s.endS - s.holdStartS, 60);
    if (i > 0) assert.equal(s.rampStartS, schedule.steps[i - 1]!.endS);
    assert.equal(s.previous, i === 0 ? 0 : schedule.steps[i - 1]!.target);
  });
  assert.equal(schedule.durationS, 20 * 70);
});

test('a maximum that is not on the step grid is still the last step', () => {
  assert.deepEqual(userLevels(500, 1200, 500), [500, 1000, 1200]);
  assert.deepEqual(userLevels(10, 10, 5), [10]);
});

test('the arrival plan offers the rate its users would offer with the mean think time', () => {
  const schedule = buildSchedule({ ...workshop, scenario: 'arrival', maxUsers: 1000 });
  assert.equal(schedule.model, 'open');
  assert.deepEqual(schedule.steps.map((s) => [s.kind, s.users, s.target]), [
    ['rate', 500, 285.714],
    ['rate', 1000, 571.429],
  ]);
});

test('poisson steps hold constant rates without a ramp', () => {
  const schedule = buildSchedule({ ...workshop, scenario: 'poisson', rates: [50, 80], holdS: 30 });
  assert.deepEqual(schedule.steps.map((s) => [s.target, s.rampStartS, s.holdStartS, s.endS]), [
    [50, 0, 0, 30],
    [80, 30, 30, 60],
  ]);
});

test('stepAt finds the step running at a time and clamps past the end', () => {
  const schedule = buildSchedule({ ...workshop, maxUsers: 1500 });
  assert.equal(stepAt(schedule, 0).index, 0);
  assert.equal(stepAt(schedule, 69.99).index, 0);
  assert.equal(stepAt(schedule, 70).index, 1);
  assert.equal(stepAt(schedule, 10_000).index, 2);
});

test('integrateTarget integrates the linear ramp and the hold, clamped to the step', () => {
  const [, second] = buildSchedule({ ...workshop, maxUsers: 1000 }).steps;
  // ramp 500 -> 1000 over 10 s = 7,500 user-seconds; hold 1000 x 60 s = 60,000
  assert.equal(integrateTarget(second!, 0, 1e9), 67_500);
  assert.equal(integrateTarget(second!, 70, 75), 5 * (500 + 750) / 2);
  assert.equal(integrateTarget(second!, 80, 90), 10_000);
  assert.equal(integrateTarget(second!, 200, 300), 0);
});

test('a bad plan is refused naming the field', () => {
  assert.throws(() => buildSchedule({ ...workshop, maxUsers: 100 }), /maxUsers \(100\) is below startUsers/);
  assert.throws(() => buildSchedule({ ...workshop, holdS: 0 }), /holdS must be a positive number/);
  assert.throws(() => buildSchedule({ ...workshop, thinkMaxS: 0.5 }), /thinkMaxS \(0.5\) is below thinkMinS/);
  assert.throws(() => buildSchedule({ ...workshop, scenario: 'poisson', rates: [] }), /at least one Poisson rate/);
  assert.throws(() => buildSchedule({ ...workshop, stepUsers: 2.5 }), /whole numbers/);
});
