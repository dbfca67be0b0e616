/**
 * The stepped load: the user ladder, the rate users stand for, and the step schedule (which
 * load each step offers and when it ramps, holds and ends).
 *
 * Pure and dependency-free on purpose: the k6 scripts import it to build their stages and to
 * tag every request with its step; the Node runner imports the very same file (as
 * `@rightsize/loadtest/schedule`) to align generator samples with the step windows and to name
 * the steps in the summary, and the sweep builds its ladder and each trial's steps with it.
 * One contract, every reader, no drift.
 */

export type ScenarioName = 'steps' | 'arrival' | 'poisson';

export interface ScheduleInput {
  scenario: ScenarioName;
  /** users of the first step, the last step (inclusive) and the increment (steps, arrival) */
  startUsers: number;
  maxUsers: number;
  stepUsers: number;
  /** Poisson arrival rates, one step each, requests per second (poisson) */
  rates: readonly number[];
  /** seconds: the linear ramp into each step, then the hold at its target */
  rampS: number;
  holdS: number;
  /** think time between a user's requests, uniform in [min, max] seconds */
  thinkMinS: number;
  thinkMaxS: number;
}

/** One step of stepped load: the users it stands for beside what the generator offers. */
export interface LoadStep {
  /** closed model: concurrent users; open models: requests per second */
  kind: 'users' | 'rate';
  target: number;
  /** the users this step stands for (arrival converts users into a rate); null for poisson */
  users: number | null;
}

export interface ScheduledStep extends LoadStep {
  index: number;
  /** the target of the step before (the ramp starts there) */
  previous: number;
  rampStartS: number;
  holdStartS: number;
  endS: number;
}

export interface StepSchedule {
  scenario: ScenarioName;
  model: 'closed' | 'open';
  steps: ScheduledStep[];
  /** seconds until the last step's hold ends */
  durationS: number;
  meanThinkS: number;
}

/** The request rate `users` would offer with a mean think time (closed model, zero latency). */
export function usersToRate(users: number, meanThinkS: number): number {
  return meanThinkS > 0 ? users / meanThinkS : users;
}

/** start, start+step, ... up to max; max itself is always the last step. */
export function userLevels(start: number, max: number, step: number): number[] {
  const levels: number[] = [];
  for (let u = start; u < max; u += step) levels.push(u);
  levels.push(max);
  return levels;
}

/**
 * The steps' loads without their timing: users (steps), the rate those users would offer
 * (arrival, 0.001 req/s resolution) or the given Poisson rates. Unchecked: see buildSchedule.
 */
export function loadSteps(input: Omit<ScheduleInput, 'rampS' | 'holdS'>): LoadStep[] {
  if (input.scenario === 'poisson') return input.rates.map((rate) => ({ kind: 'rate', target: rate, users: null }));
  const meanThinkS = (input.thinkMinS + input.thinkMaxS) / 2;
  return userLevels(input.startUsers, input.maxUsers, input.stepUsers).map((users) =>
    input.scenario === 'arrival' ? { kind: 'rate', target: round3(usersToRate(users, meanThinkS)), users } : { kind: 'users', target: users, users },
  );
}

/** Builds the schedule; throws a RangeError naming the first bad field (callers validate earlier). */
export function buildSchedule(input: ScheduleInput): StepSchedule {
  checkInput(input);
  const meanThinkS = (input.thinkMinS + input.thinkMaxS) / 2;
  // Poisson steps hold a constant rate: a ramp would make the arrivals non-stationary.
  const rampS = input.scenario === 'poisson' ? 0 : input.rampS;
  const steps: ScheduledStep[] = [];
  let t = 0;
  let previous = 0;
  loadSteps(input).forEach(({ kind, target, users }, index) => {
    steps.push({
      index,
      kind,
      target,
      previous,
      users,
      rampStartS: t,
      holdStartS: t + rampS,
      endS: t + rampS + input.holdS,
    });
    t += rampS + input.holdS;
    previous = target;
  });
  return {
    scenario: input.scenario,
    model: input.scenario === 'steps' ? 'closed' : 'open',
    steps,
    durationS: t,
    meanThinkS,
  };
}

/** The step running at `elapsedS` seconds after the start; past the end, the last step. */
export function stepAt(schedule: StepSchedule, elapsedS: number): ScheduledStep {
  const steps = schedule.steps;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (elapsedS < step.endS) return step;
  }
  return steps[steps.length - 1]!;
}

/**
 * The integral of the step's target over [fromS, toS] (clamped to the step): users x seconds,
 * or requests for a rate. The ramp is linear from the previous target, then the target holds.
 */
export function integrateTarget(step: ScheduledStep, fromS: number, toS: number): number {
  const a = Math.max(fromS, step.rampStartS);
  const b = Math.min(toS, step.endS);
  if (b <= a) return 0;
  const at = (t: number) =>
    t >= step.holdStartS ? step.target : step.previous + ((step.target - step.previous) * (t - step.rampStartS)) / (step.holdStartS - step.rampStartS);
  const rampEnd = Math.min(b, step.holdStartS);
  const rampPart = rampEnd > a ? ((at(a) + at(rampEnd)) / 2) * (rampEnd - a) : 0;
  const holdFrom = Math.max(a, step.holdStartS);
  const holdPart = b > holdFrom ? step.target * (b - holdFrom) : 0;
  return rampPart + holdPart;
}

function checkInput(input: ScheduleInput): void {
  const positive = (name: string, v: number) => {
    if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a positive number, got ${v}`);
  };
  const nonNegative = (name: string, v: number) => {
    if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`${name} must be a number >= 0, got ${v}`);
  };
  positive('holdS', input.holdS);
  nonNegative('rampS', input.rampS);
  nonNegative('thinkMinS', input.thinkMinS);
  nonNegative('thinkMaxS', input.thinkMaxS);
  if (input.thinkMaxS < input.thinkMinS) throw new RangeError(`thinkMaxS (${input.thinkMaxS}) is below thinkMinS (${input.thinkMinS})`);
  if (input.scenario === 'poisson') {
    if (input.rates.length === 0) throw new RangeError('rates must list at least one Poisson rate');
    input.rates.forEach((r, i) => positive(`rates[${i}]`, r));
    return;
  }
  positive('startUsers', input.startUsers);
  positive('maxUsers', input.maxUsers);
  positive('stepUsers', input.stepUsers);
  if (![input.startUsers, input.maxUsers, input.stepUsers].every(Number.isInteger)) {
    throw new RangeError('startUsers, maxUsers and stepUsers must be whole numbers');
  }
  if (input.maxUsers < input.startUsers) throw new RangeError(`maxUsers (${input.maxUsers}) is below startUsers (${input.startUsers})`);
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
