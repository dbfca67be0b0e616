/**
 * The live page's load port on @rightsize/loadtest: the route per protocol, the runner's target
 * guard, and an ad-hoc load as one step of k6's closed model (the workshop's think time) that
 * never aborts on latency or errors, only on time; the runner's events and per-step summary as
 * the port's; the runner's errors that a request can cause as SweepErrors with what to do.
 */
import { OWNER_LABEL, type Docker } from '@rightsize/compose/docker';
import type { LoadOptionsInput } from '@rightsize/loadtest/options';
import { runLoad, type LoadRunResult, type RunLoadHooks } from '@rightsize/loadtest/runner';
import type { LoadSummary } from '@rightsize/loadtest/summary-schema';
import { verifyTarget } from '@rightsize/loadtest/target-guard';
import { SweepError } from '../errors.js';
import type { AdhocLoadStep, LoadPort } from '../web/web-ports.js';
import { requestPath } from './request-body.js';

export type RunLoadFn = (input: LoadOptionsInput, hooks: RunLoadHooks) => Promise<LoadRunResult>;

function toSweepError(error: unknown): unknown {
  const e = error as { code?: string; message?: string };
  const message = e.message ?? String(error);
  switch (e.code) {
    case 'LOAD_ERR_TARGET_REFUSED':
      return new SweepError('SWEEP_ERR_TARGET_REFUSED', message, { hint: 'pass host=http://127.0.0.1:<port> (a loopback address)' });
    case 'LOAD_ERR_BAD_OPTION':
      return new SweepError('SWEEP_ERR_BAD_REQUEST', message);
    case 'LOAD_ERR_ENGINE_MISSING':
      return new SweepError('SWEEP_ERR_LOAD', message, { hint: 'build grafana/k6:1.8.1 with `npm run images -- --offline`, or install k6 (go install go.k6.io/k6@v1.8.1)' });
    default:
      return error;
  }
}

function stepsOf(summary: LoadSummary): AdhocLoadStep[] {
  const t0 = Date.parse(summary.started_at);
  // a step cut short (stopped) ends when the run did, not when its plan said
  const finished = Date.parse(summary.finished_at);
  return summary.steps
    .filter((s) => s.requests > 0)
    .map((s) => ({
      start_ms: t0 + s.ramp_start_s * 1000,
      end_ms: Math.min(t0 + s.end_s * 1000, finished),
      users: s.target.value,
      requests: s.requests,
      failures: s.errors.total,
      rps: s.rps,
      error_rate: s.errors.rate,
      p50_ms: s.latency_ms.p50,
      p95_ms: s.latency_ms.p95,
      p99_ms: s.latency_ms.p99,
      max_ms: s.latency_ms.max,
      valid: s.generator.valid,
    }));
}

/** `runLoad`: the load runner on `docker` unless given (tests pass a recorder). */
export function createLoadPort(options: { docker?: Docker; runLoad?: RunLoadFn } = {}): LoadPort {
  const run = options.runLoad ?? ((input, hooks) => runLoad(input, { ...hooks, ...(options.docker ? { docker: options.docker } : {}) }));
  return {
    requestPath,
    async checkTarget(url) {
      await verifyTarget({ url, ownerLabel: OWNER_LABEL }).catch((error: unknown) => {
        throw toSweepError(error);
      });
    },
    async run(request, hooks) {
      try {
        const result = await run(
          {
            engine: 'k6',
            scenario: 'steps',
            target: request.target,
            path: request.path,
            schedule: { startUsers: request.users, maxUsers: request.users, stepUsers: request.users, rampS: request.rampS, holdS: request.holdS },
            // an ad-hoc load has no objective: it never aborts on latency or errors, only on time
            objective: { p95Ms: null, p99Ms: null, maxErrorRate: 1 },
            runId: request.runId,
          },
          {
            signal: hooks.signal,
            onEvent: (e) => {
              if (e.type === 'start') hooks.onEvent({ type: 'start' });
              else if (e.type === 'progress' && e.elapsedS !== null && e.rps !== null) {
                hooks.onEvent({ type: 'progress', elapsed_s: e.elapsedS, rps: e.rps, failed_per_s: e.failedPerS ?? 0, users: e.users ?? 0, p95_ms: e.p95Ms, generator: { cpu_pct: e.generatorCpuPct, mem_mib: e.generatorMemMb, dropped: e.dropped } });
              } else if (e.type === 'log' && e.level !== 'info') hooks.onEvent({ type: 'warning', message: e.message });
            },
          },
        );
        return stepsOf(result.summary);
      } catch (error) {
        throw toSweepError(error);
      }
    },
  };
}
