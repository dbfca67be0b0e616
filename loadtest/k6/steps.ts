/**
 * `steps`: the workshop's closed model. Users step from RS_START to RS_MAX by RS_STEP (defaults
 * 500 / 10,000 / 500); each step is a linear ramp of RS_RAMP seconds and a hold of RS_HOLD
 * seconds; each user sends one prediction, then thinks uniformly in [RS_THINK_MIN, RS_THINK_MAX]
 * seconds (1 to 2.5 s, as the origin documents' Locust users did). A slow server slows its own
 * offered load here (coordinated omission); `arrival` is the open-model counterpart.
 *
 *   k6 run -e RS_TARGET=http://127.0.0.1:8000 -e RS_MAX=1000 loadtest/k6/steps.ts
 */
import { sleep } from 'k6';
import exec from 'k6/execution';
import { readConfig } from './lib/config.ts';
import { createPayloads } from './lib/payloads.ts';
import { stepAt } from './lib/schedule.ts';
import { createRequester } from './lib/request.ts';
import { baseOptions, makeHandleSummary, markStart, scheduleStages, seconds } from './lib/options.ts';

const config = readConfig('steps', __ENV);
const requester = createRequester(config, createPayloads(config));

export const options = baseOptions(config, {
  steps: {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: scheduleStages(config.schedule),
    gracefulRampDown: '0s',
    // let the last iterations finish their request (so no counted request is cut off)
    gracefulStop: seconds(config.requestTimeoutS + config.thinkMaxS + 1),
  },
});

export const setup = markStart;

export default function (): void {
  const elapsedS = exec.instance.currentTestRunDuration / 1000;
  const step = stepAt(config.schedule, elapsedS);
  requester.send(step, elapsedS, exec.vu.idInTest, exec.vu.iterationInScenario);
  // sleep(0) still yields to the scheduler, which halves a VU's rate when there is no think time
  if (config.thinkMaxS > 0) sleep(config.thinkMinS + Math.random() * (config.thinkMaxS - config.thinkMinS));
}

export const handleSummary = makeHandleSummary(config);
