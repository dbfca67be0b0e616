/**
 * The least a k6 run can do: a constant arrival rate of POSTs of one fixed body, response bodies
 * discarded, no custom metrics, tags, thresholds or checks. What k6 itself costs per request, the
 * floor our `arrival` scenario is compared with (bench/generators.ts).
 *
 *   k6 run -e RS_URL=http://127.0.0.1:8000/predict -e RS_BODY_FILE=/tmp/body.json \
 *     -e RS_RATE=1000 -e RS_DURATION=30s -e RS_VUS=502 loadtest/bench/generators/k6-minimal.ts
 */
import http from 'k6/http';

// declared here, not from @types/k6's globals: this file is also type-checked with the Node bench code
declare const __ENV: Record<string, string | undefined>;
declare function open(path: string): string;

const vus = Number(__ENV.RS_VUS ?? 100);

export const options = {
  discardResponseBodies: true,
  scenarios: {
    minimal: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RS_RATE ?? 100),
      timeUnit: '1s',
      duration: __ENV.RS_DURATION ?? '10s',
      preAllocatedVUs: vus,
      maxVUs: vus,
    },
  },
};

const url = __ENV.RS_URL ?? 'http://127.0.0.1:8000/predict';
const body = open(__ENV.RS_BODY_FILE ?? '');
const params = { headers: { 'content-type': 'application/json' } };

export default function (): void {
  http.post(url, body, params);
}
