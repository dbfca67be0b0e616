/**
 * `smoke`: a short, bounded check that the stack answers predictions through its balancer.
 * Written by the infra engineer (issue 3) for compose/docker-compose.loadtest.yml; the load
 * engineer owns loadtest/k6/ and may replace it — keep its contract: RS_TARGET (base URL),
 * RS_VUS, RS_DURATION, RS_OUT_DIR (writes smoke-summary.json there), exit code 99 when the
 * thresholds (no failed requests, every check passing) are crossed.
 *
 *   k6 run -e RS_TARGET=http://127.0.0.1:8080 loadtest/k6/smoke.ts
 */
import http from 'k6/http';
import { check } from 'k6';

const target = (__ENV.RS_TARGET ?? 'http://lb:8080').replace(/\/$/, '');
const outDir = __ENV.RS_OUT_DIR ?? '.';
const doc = JSON.parse(open(import.meta.resolve('../data/payloads.json'))) as { rows: Record<string, number>[] };
const bodies = doc.rows.map((r) => JSON.stringify(r));

export const options = {
  scenarios: {
    smoke: { executor: 'constant-vus', vus: Number(__ENV.RS_VUS ?? 5), duration: __ENV.RS_DURATION ?? '10s', gracefulStop: '5s' },
  },
  thresholds: { http_req_failed: ['rate==0'], checks: ['rate==1'] },
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
};

let n = 0;
export default function (): void {
  const body = bodies[(__VU * 31 + n++) % bodies.length]!;
  const res = http.post(`${target}/predict`, body, { headers: { 'content-type': 'application/json' }, timeout: '10s' });
  check(res, {
    'status 200': (r) => r.status === 200,
    'has a label': (r) => r.status === 200 && typeof (r.json() as { label?: unknown }).label === 'string',
  });
}

export function handleSummary(data: unknown): Record<string, string> {
  return { [`${outDir}/smoke-summary.json`]: JSON.stringify(data, null, 1) };
}
