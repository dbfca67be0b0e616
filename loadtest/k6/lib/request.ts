/**
 * One prediction request: body from the held-out rows, tags for its step, failures counted by
 * class, latency samples for the objective recorded, and (on a sample of requests) the response checked against the
 * contract of the protocol spoken (config.protocol). Shared by all three scenarios so they measure the same thing.
 */
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import { check } from 'k6';
import type { ScriptConfig } from './config.ts';
import type { ScheduledStep } from './schedule.ts';
import type { Payloads } from './payloads.ts';
import { err4xx, err5xx, errConnection, errTimeout, sloLatency } from './metrics.ts';
import { contractCheck } from './contract.ts';

/** k6's error_code for "request timeout" (k6 docs, error codes); other status-0 errors are connection errors */
const K6_REQUEST_TIMEOUT = 1050;

export interface Requester {
  /** sends this VU's n-th request and blocks until it completes (closed and arrival models) */
  send(step: ScheduledStep, elapsedS: number, vuId: number, n: number): void;
  /** sends one request without blocking the VU (Poisson streams keep their own clock) */
  sendAsync(step: ScheduledStep, elapsedS: number, vuId: number, n: number): Promise<void>;
}

export function createRequester(config: Readonly<ScriptConfig>, payloads: Payloads): Requester {
  const url = `${config.target}${config.path}`;
  const timeout = `${config.requestTimeoutS}s`;
  const headers = { 'content-type': 'application/json' };
  const isPrediction = contractCheck(config.protocol);

  // Built once per step, not per request: this is the hot path of 10,000 VUs.
  const perStep = config.schedule.steps.map((step) => {
    const tags = { step: String(step.index) };
    const base = { headers, timeout, tags: { step: tags.step, name: 'predict' } };
    return {
      tags,
      sloFromS: step.holdStartS + config.sloWarmupS,
      // discardResponseBodies is on for the whole run (memory); only checked requests keep theirs
      plain: { ...base, responseType: 'none' as ResponseType },
      checked: { ...base, responseType: 'text' as ResponseType },
    };
  });

  const record = (res: RefinedResponse<ResponseType | undefined>, step: ScheduledStep, elapsedS: number, checked: boolean) => {
    const { tags, sloFromS } = perStep[step.index]!;
    const status = res.status;
    if (status >= 400 && status < 500) err4xx.add(1, tags);
    else if (status >= 500) err5xx.add(1, tags);
    else if (status === 0) (res.error_code === K6_REQUEST_TIMEOUT ? errTimeout : errConnection).add(1, tags);
    if (elapsedS >= sloFromS) sloLatency.add(res.timings.duration, tags);
    if (checked) {
      check(res, { 'status 200 and a prediction in the contract': (r) => r.status === 200 && isPrediction(r.body) }, tags);
    }
  };

  // VUs start their count at different offsets so the sampled checks spread over time
  const shouldCheck = (vuId: number, n: number) => config.checkEvery > 0 && (n + vuId) % config.checkEvery === 0;

  return {
    send(step, elapsedS, vuId, n) {
      const checked = shouldCheck(vuId, n);
      const res = http.post(url, payloads.body(vuId, n), checked ? perStep[step.index]!.checked : perStep[step.index]!.plain);
      record(res, step, elapsedS, checked);
    },
    async sendAsync(step, elapsedS, vuId, n) {
      const checked = shouldCheck(vuId, n);
      const res = await http.asyncRequest('POST', url, payloads.body(vuId, n), checked ? perStep[step.index]!.checked : perStep[step.index]!.plain);
      record(res, step, elapsedS, checked);
    },
  };
}
