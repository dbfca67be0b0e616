/**
 * Our `arrival` scenario rebuilt one feature at a time, to attribute its CPU per request
 * (bench/generators.ts runs each level). The scenario (ramping-arrival-rate over the schedule's
 * stages, the VU pool) and the configuration (`readConfig`, the same RS_* variables) are
 * arrival.ts's; RS_BENCH_FEATURES switches on, from the real lib modules:
 * - `clock`: the test clock read per request (exec.instance.currentTestRunDuration) and the step it falls in (stepAt);
 * - `ids`: the VU's id and iteration read per request (exec.vu.idInTest, exec.vu.iterationInScenario);
 * - `payloads`: bodies from the held-out rows (a per-VU window of a SharedArray), else one fixed body (RS_BODY_FILE);
 * - `tags`: the `step`/`name` tags of each request;
 * - `metrics`: the custom metrics on every request (started, errors by class, the SLO latency trend);
 * - `thresholds`: the per-step sub-metric thresholds (buildThresholds);
 * - `checks`: the sampled contract check (1 in RS_CHECK_EVERY responses kept and parsed).
 * With all five it does what arrival.ts does per request, minus setup() and handleSummary.
 *
 *   k6 run -e RS_TARGET=http://127.0.0.1:8000 -e RS_START=1750 -e RS_MAX=1750 -e RS_BENCH_FEATURES=payloads,tags \
 *     -e RS_BODY_FILE=/tmp/body.json loadtest/bench/generators/k6-variants.ts
 */
import http, { type ResponseType } from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';
import { readConfig } from '../../k6/lib/config.ts';
import { contractCheck } from '../../k6/lib/contract.ts';
import { err4xx, err5xx, errConnection, errTimeout, sloLatency, started } from '../../k6/lib/metrics.ts';
import { scheduleStages, seconds } from '../../k6/lib/options.ts';
import { createPayloads } from '../../k6/lib/payloads.ts';
import { stepAt } from '../../k6/lib/schedule.ts';
import { buildThresholds } from '../../k6/lib/thresholds.ts';

// declared here, not from @types/k6's globals: this file is also type-checked with the Node bench code
declare const __ENV: Record<string, string | undefined>;
declare function open(path: string): string;

const FEATURES = ['clock', 'ids', 'payloads', 'tags', 'metrics', 'thresholds', 'checks'];
const on = new Set((__ENV.RS_BENCH_FEATURES ?? '').split(',').filter((f) => f !== ''));
const unknown = [...on].filter((f) => !FEATURES.includes(f));
if (unknown.length > 0) throw new Error(`RS_BENCH_FEATURES: unknown ${unknown.join(', ')} (known: ${FEATURES.join(', ')})`);

const config = readConfig('arrival', __ENV);
const PER = 1000;
const maxRate = Math.max(...config.schedule.steps.map((s) => s.target));
const VU_POOL = Math.ceil(maxRate * config.vuBudgetS) + 2;

export const options = {
  scenarios: {
    arrival: {
      executor: 'ramping-arrival-rate',
      startRate: 0,
      timeUnit: `${PER}s`,
      preAllocatedVUs: VU_POOL,
      maxVUs: VU_POOL,
      stages: scheduleStages(config.schedule, PER),
      gracefulStop: seconds(config.requestTimeoutS + 1),
    },
  },
  thresholds: on.has('thresholds') ? buildThresholds(config) : {},
  discardResponseBodies: true,
};

const url = `${config.target}${config.path}`;
const headers = { 'content-type': 'application/json' };
const timeout = `${config.requestTimeoutS}s`;
const plain = { headers, timeout, responseType: 'none' as ResponseType };
const payloads = on.has('payloads') ? createPayloads(config) : null;
const fixedBody = payloads === null ? open(__ENV.RS_BODY_FILE ?? '') : '';
const isPrediction = contractCheck(config.protocol);
const perStep = config.schedule.steps.map((step) => {
  const tags = { step: String(step.index) };
  const base = { headers, timeout, tags: { step: tags.step, name: 'predict' } };
  return {
    tags,
    sloFromS: step.holdStartS + config.sloWarmupS,
    plain: { ...base, responseType: 'none' as ResponseType },
    checked: { ...base, responseType: 'text' as ResponseType },
  };
});
const clock = on.has('clock');
const ids = on.has('ids');
const tagged = on.has('tags');
const metrics = on.has('metrics');
const checks = on.has('checks') && config.checkEvery > 0;
const first = config.schedule.steps[0]!;

export default function (): void {
  const elapsedS = clock ? exec.instance.currentTestRunDuration / 1000 : 0;
  const step = clock ? stepAt(config.schedule, elapsedS) : first;
  const vuId = ids ? exec.vu.idInTest : 0;
  const n = ids ? exec.vu.iterationInScenario : 0;
  const body = payloads === null ? fixedBody : payloads.body(vuId, n);
  if (!tagged) {
    http.post(url, body, plain);
    return;
  }
  const s = perStep[step.index]!;
  const checked = checks && (n + vuId) % config.checkEvery === 0;
  const res = http.post(url, body, checked ? s.checked : s.plain);
  if (metrics) {
    started.add(1, { step: String(step.index) });
    const status = res.status;
    if (status >= 400 && status < 500) err4xx.add(1, s.tags);
    else if (status >= 500) err5xx.add(1, s.tags);
    else if (status === 0) (res.error_code === 1050 ? errTimeout : errConnection).add(1, s.tags);
    if (elapsedS >= s.sloFromS) sloLatency.add(res.timings.duration, s.tags);
  }
  if (checked) check(res, { 'status 200 and a prediction in the contract': (r) => r.status === 200 && isPrediction(r.body) }, s.tags);
}
