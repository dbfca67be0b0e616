/**
 * `poisson`: Poisson arrivals at rate λ (RS_RATES, one step per rate, each held RS_HOLD
 * seconds), for queueing experiments. k6's arrival-rate executors space starts evenly, which is
 * not Poisson, so this scenario keeps its own clocks: S streams each draw exponential gaps of
 * rate λ/S and fire without waiting for the response (http.asyncRequest), so arrivals never
 * depend on the server's latency; the superposition of independent Poisson streams is Poisson
 * with rate λ. A stream with RS_MAX_INFLIGHT requests in flight drops the arrival (counted).
 *
 *   k6 run -e RS_TARGET=http://127.0.0.1:8000 -e RS_RATES=50,80 -e RS_HOLD=60 loadtest/k6/poisson.ts
 */
import exec from 'k6/execution';
import { setTimeout } from 'k6/timers';
import { readConfig } from './lib/config.ts';
import { createPayloads } from './lib/payloads.ts';
import { createRequester } from './lib/request.ts';
import { dropped } from './lib/metrics.ts';
import { baseOptions, makeHandleSummary, markStart, seconds } from './lib/options.ts';

const config = readConfig('poisson', __ENV);
const requester = createRequester(config, createPayloads(config));

/** one stream per 200 req/s keeps each VU's event loop far from busy */
const STREAMS = Math.max(1, Math.ceil(Math.max(...config.schedule.steps.map((s) => s.target)) / 200));

export const options = baseOptions(config, {
  poisson: {
    executor: 'per-vu-iterations',
    vus: STREAMS,
    iterations: 1,
    maxDuration: seconds(config.schedule.durationS + config.requestTimeoutS + 5),
    gracefulStop: '0s',
  },
});

export const setup = markStart;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export default async function (): Promise<void> {
  const t0 = Date.now() - exec.instance.currentTestRunDuration;
  let inflight = 0;
  const vuId = exec.vu.idInTest;
  let n = 0;
  for (const step of config.schedule.steps) {
    const rate = step.target / STREAMS;
    const tags = { step: String(step.index) };
    // Poisson is memoryless: restarting the clock at each step boundary is exact.
    let at = step.rampStartS;
    for (;;) {
      at += -Math.log(1 - Math.random()) / rate;
      if (at >= step.endS) break;
      const wait = t0 + at * 1000 - Date.now();
      if (wait > 1) await pause(wait);
      if (inflight >= config.maxInflight) {
        dropped.add(1, tags);
        continue;
      }
      inflight++;
      requester.sendAsync(step, at, vuId, n++).finally(() => inflight--);
    }
  }
  while (inflight > 0) await pause(20);
}

export const handleSummary = makeHandleSummary(config);
