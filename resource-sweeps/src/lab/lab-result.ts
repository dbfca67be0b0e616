/**
 * The lab's result: what was measured against what M/M/c theory says for the same lambda, mu
 * and c. Pure: from the arrivals, the server's own counters (wait and service histogram sums)
 * and the sampled queue gauges.
 */
import { z } from 'zod';
import { queueTheory } from '../queueing/theory.js';
import type { Arrival } from './poisson.js';

export const LAB_SCHEMA_ID = 'rightsize.queue-lab/v1';

const nn = z.number().nullable();
const TheorySchema = z
  .object({ stable: z.boolean(), rho: z.number(), p_wait: z.number(), mean_response_ms: z.number(), mean_wait_ms: z.number(), p95_response_ms: z.number(), mean_queue_length: z.number(), mean_in_system: z.number() })
  .strict();
export const LabResultSchema = z
  .object({
    schema: z.literal(LAB_SCHEMA_ID),
    created_at: z.string(),
    params: z.object({ lambda: z.number(), mu: z.number(), servers: z.number().int(), duration_s: z.number(), warmup_s: z.number() }).strict(),
    method: z.string(),
    measured: z
      .object({
        requests: z.number().int(),
        failed: z.number().int(),
        achieved_lambda: z.number(),
        /** client side: includes HTTP and the container network (~1 ms) */
        mean_response_ms: nn,
        p95_response_ms: nn,
        /** server side: wait + service as the lab itself timed them */
        server_mean_wait_ms: nn,
        server_mean_response_ms: nn,
        /** mean time a server actually held a request (timer granularity adds ~1 ms to 1/mu) */
        server_mean_service_ms: nn,
        utilisation: nn,
        /** time average of the sampled gauge */
        mean_queue_length: nn,
        mean_in_system: nn,
      })
      .strict(),
    theory: TheorySchema,
    /** the same formulas at the arrival rate achieved and the service rate measured: separates the generator's and the timers' deviations from the queue's behaviour */
    theory_at_measured: TheorySchema.nullable(),
  })
  .strict();
export type LabResult = z.infer<typeof LabResultSchema>;

export interface ServerCounters {
  wait_sum: number;
  wait_count: number;
  service_sum: number;
  service_count: number;
}

export interface LabInput {
  lambda: number;
  mu: number;
  servers: number;
  durationS: number;
  warmupS: number;
  arrivals: readonly Arrival[];
  /** counters at the end of the warm-up and at the end */
  before: ServerCounters | null;
  after: ServerCounters | null;
  /** sampled gauges after the warm-up */
  gauges: readonly { queue: number; busy: number }[];
  createdAt: string;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number;
}

export function labResult(input: LabInput): LabResult {
  const measuredPart = input.arrivals.filter((a) => a.sent_ms >= input.warmupS * 1000);
  const ok = measuredPart.filter((a) => a.status !== null && a.status >= 200 && a.status < 300 && a.latency_ms !== null);
  const latencies = ok.map((a) => a.latency_ms as number).sort((x, y) => x - y);
  const window = input.durationS - input.warmupS;
  const d = input.before && input.after ? { wait: input.after.wait_sum - input.before.wait_sum, service: input.after.service_sum - input.before.service_sum, n: input.after.wait_count - input.before.wait_count } : null;
  const achieved = window > 0 ? measuredPart.length / window : 0;
  const meanService = d && d.n > 0 ? d.service / d.n : null;
  const ms = (s: number) => s * 1000;
  const theoryFor = (lambda: number, mu: number) => {
    const t = queueTheory({ lambda, mu, servers: input.servers });
    return {
      stable: t.stable,
      rho: t.rho,
      p_wait: t.p_wait,
      mean_response_ms: ms(t.mean_response_s),
      mean_wait_ms: ms(t.mean_wait_s),
      p95_response_ms: ms(t.p95_response_s),
      mean_queue_length: t.mean_queue_length,
      mean_in_system: t.mean_in_system,
    };
  };
  return {
    schema: LAB_SCHEMA_ID,
    created_at: input.createdAt,
    params: { lambda: input.lambda, mu: input.mu, servers: input.servers, duration_s: input.durationS, warmup_s: input.warmupS },
    method: `Poisson arrivals (open loop, Node fetch over loopback) at lambda=${input.lambda}/s for ${input.durationS} s, the first ${input.warmupS} s not counted; API in LAB_MODE=mmc with LAB_MU=${input.mu}, LAB_SERVERS=${input.servers}; server-side times from lab_wait_seconds/lab_service_seconds, queue length sampled from lab_queue_length every 200 ms.`,
    measured: {
      requests: measuredPart.length,
      failed: measuredPart.length - ok.length,
      achieved_lambda: achieved,
      mean_response_ms: mean(latencies),
      p95_response_ms: percentile(latencies, 0.95),
      server_mean_wait_ms: d && d.n > 0 ? ms(d.wait / d.n) : null,
      server_mean_response_ms: d && d.n > 0 ? ms((d.wait + d.service) / d.n) : null,
      server_mean_service_ms: meanService === null ? null : ms(meanService),
      utilisation: d && window > 0 ? d.service / (input.servers * window) : null,
      mean_queue_length: mean(input.gauges.map((g) => g.queue)),
      mean_in_system: mean(input.gauges.map((g) => g.queue + g.busy)),
    },
    theory: theoryFor(input.lambda, input.mu),
    theory_at_measured: meanService && achieved > 0 && achieved < input.servers / meanService ? theoryFor(achieved, 1 / meanService) : null,
  };
}

/** The comparison as rows: quantity, measured, theory, difference in %, theory at the measured lambda and mu. */
export function labRows(r: LabResult): string[][] {
  const f = (x: number | null, digits = 1) => (x === null ? '-' : x.toFixed(digits));
  const diff = (m: number | null, t: number) => (m === null || !Number.isFinite(t) || t === 0 ? '-' : `${(((m - t) / t) * 100).toFixed(1)} %`);
  const m = r.measured;
  const t = r.theory;
  const a = r.theory_at_measured;
  const row = (name: string, measured: number | null, theory: number, atMeasured: number | undefined, digits = 1) => [name, f(measured, digits), f(theory, digits), diff(measured, theory), atMeasured === undefined ? '-' : f(atMeasured, digits)];
  return [
    row('arrival rate (1/s)', m.achieved_lambda, r.params.lambda, a ? m.achieved_lambda : undefined),
    row('mean service time, server (ms)', m.server_mean_service_ms, 1000 / r.params.mu, m.server_mean_service_ms ?? undefined),
    row('mean response time, client (ms)', m.mean_response_ms, t.mean_response_ms, a?.mean_response_ms),
    row('mean response time, server (ms)', m.server_mean_response_ms, t.mean_response_ms, a?.mean_response_ms),
    row('p95 response time, client (ms)', m.p95_response_ms, t.p95_response_ms, a?.p95_response_ms),
    row('mean wait in queue, server (ms)', m.server_mean_wait_ms, t.mean_wait_ms, a?.mean_wait_ms),
    row('utilisation per server', m.utilisation, t.rho, a?.rho, 3),
    row('mean queue length (waiting)', m.mean_queue_length, t.mean_queue_length, a?.mean_queue_length, 2),
    row('mean number in system', m.mean_in_system, t.mean_in_system, a?.mean_in_system, 2),
  ];
}
