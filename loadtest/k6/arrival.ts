/**
 * `arrival`: the same steps as `steps`, offered as an open model. Each step's rate is what its
 * users would offer (users / mean think time), reached by a linear ramp and held, whatever the
 * server's latency (ramping-arrival-rate). The VU pool is pre-allocated from the largest rate
 * (rate x RS_VU_BUDGET seconds of latency each); when every VU is busy, k6 drops iterations and
 * the step is reported invalid. This is the documented way to offer 10,000 users' load when
 * 10,000 closed-model VUs do not fit in one generator.
 *
 *   k6 run -e RS_TARGET=http://127.0.0.1:8000 -e RS_MAX=10000 loadtest/k6/arrival.ts
 */
import exec from 'k6/execution';
import { readConfig } from './lib/config.ts';
import { createPayloads } from './lib/payloads.ts';
import { stepAt } from './lib/schedule.ts';
import { createRequester } from './lib/request.ts';
import { started } from './lib/metrics.ts';
import { baseOptions, makeHandleSummary, markStart, scheduleStages, seconds } from './lib/options.ts';

const config = readConfig('arrival', __ENV);
const requester = createRequester(config, createPayloads(config));

// k6 rates are whole iterations per timeUnit: per 1000 s gives 0.001 req/s resolution.
const PER = 1000;
const maxRate = Math.max(...config.schedule.steps.map((s) => s.target));
export const VU_POOL = Math.ceil(maxRate * config.vuBudgetS) + 2;

export const options = baseOptions(config, {
  arrival: {
    executor: 'ramping-arrival-rate',
    startRate: 0,
    timeUnit: `${PER}s`,
    preAllocatedVUs: VU_POOL,
    maxVUs: VU_POOL,
    stages: scheduleStages(config.schedule, PER),
    gracefulStop: seconds(config.requestTimeoutS + 1),
  },
});

export const setup = markStart;

// The hot path (`npm run bench:generators` measures it, feature by feature): k6 builds
// exec.instance and exec.vu anew on every access (an object of accessor properties), which cost
// tens of µs per request here. So the VU's id and iteration come from k6's globals (__VU, __ITER:
// the same numbers as exec.vu.idInTest and exec.vu.iterationInScenario in this one-scenario,
// one-instance script), the test clock is read from exec.instance once every CLOCK_REREAD
// iterations of a VU and carried by Date.now() in between, and tag objects are built once per step.
const CLOCK_REREAD = 64;
let clockOffsetMs = 0;
let clockAge = CLOCK_REREAD;
const stepTags = config.schedule.steps.map((s) => ({ step: String(s.index) }));

/** seconds on the test clock (exec.instance.currentTestRunDuration) */
function testClockS(): number {
  if (clockAge++ >= CLOCK_REREAD) {
    clockOffsetMs = Date.now() - exec.instance.currentTestRunDuration;
    clockAge = 1;
  }
  return (Date.now() - clockOffsetMs) / 1000;
}

export default function (): void {
  const elapsedS = testClockS();
  const step = stepAt(config.schedule, elapsedS);
  started.add(1, stepTags[step.index]);
  requester.send(step, elapsedS, __VU, __ITER);
}

export const handleSummary = makeHandleSummary(config);
