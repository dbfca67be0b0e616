/**
 * One prediction request: body from the held-out rows, tags for its step, failures counted by
 * class, SLO samples recorded, and (on a sample of requests) the response checked against the
 * API's contract. Shared by all three scenarios so they measure the same thing.
 */
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import { check } from 'k6';
import type { ScriptConfig } from './config.ts';
import type { PlannedStep } from './plan.ts';
import type { Payloads } from './payloads.ts';
import { err4xx, err5xx, errConnection, errTimeout, sloFailed, sloLatency } from './metrics.ts';
import { isPrediction } from './contract.ts';

/** k6's error_code for "request timeout" (k6 docs, error codes); other status-0 errors are connection errors */
const K6_REQUEST_TIMEOUT = 1050;

export interface Requester {
  /** sends one request and blocks until it completes (closed and arrival models) */
  send(step: PlannedStep, elapsedS: number, seq: number): void;
  /** sends one request without blocking the VU (Poisson streams keep their own clock) */
  sendAsync(step: PlannedStep, elapsedS: number, seq: number): Promise<void>;
}

export function createRequester(config: Readonly<ScriptConfig>, payloads: Payloads): Requester {
  const url = `${config.target}${config.path}`;
  const timeout = `${config.requestTimeoutS}s`;
  const headers = { 'content-type': 'application/json' };

  const params = (step: PlannedStep, checked: boolean) => ({
    headers,
    timeout,
    // discardResponseBodies is on for the whole run (memory); only checked requests keep theirs
    responseType: (checked ? 'text' : 'none') as ResponseType,
    tags: { step: String(step.index), name: 'predict' },
  });

  const record = (res: RefinedResponse<ResponseType | undefined>, step: PlannedStep, elapsedS: number, checked: boolean) => {
    const tags = { step: String(step.index) };
    const status = res.status;
    const failed = status < 200 || status >= 400;
    if (status >= 400 && status < 500) err4xx.add(1, tags);
    else if (status >= 500) err5xx.add(1, tags);
    else if (status === 0) (res.error_code === K6_REQUEST_TIMEOUT ? errTimeout : errConnection).add(1, tags);
    if (elapsedS >= step.holdStartS + config.sloWarmupS) {
      sloLatency.add(res.timings.duration, tags);
      sloFailed.add(failed, tags);
    }
    if (checked) {
      check(res, { 'status 200 and a prediction in the contract': (r) => r.status === 200 && isPrediction(r.body) }, tags);
    }
  };

  const shouldCheck = (seq: number) => config.checkEvery > 0 && seq % config.checkEvery === 0;

  return {
    send(step, elapsedS, seq) {
      const checked = shouldCheck(seq);
      const res = http.post(url, payloads.at(seq), params(step, checked));
      record(res, step, elapsedS, checked);
    },
    async sendAsync(step, elapsedS, seq) {
      const checked = shouldCheck(seq);
      const res = await http.asyncRequest('POST', url, payloads.at(seq), params(step, checked));
      record(res, step, elapsedS, checked);
    },
  };
}
