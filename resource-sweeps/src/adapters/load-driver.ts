/**
 * Load for one trial through @rightsize/loadtest's runner, with the options the sweep's load
 * contract (plan/load-contract.ts) gives: the trial's steps up to the target, the objective as
 * k6 abort-on-fail thresholds (so the run ends at the first step that breaks it), the
 * generator's fixed limits, and the stack's own network as the only place the load may go.
 * Progress events are forwarded; errors no retry can fix stop the sweep.
 */
import type { Docker } from '@rightsize/compose/docker';
import type { LoadOptionsInput } from '@rightsize/loadtest/options';
import { runLoad } from '@rightsize/loadtest/runner';
import type { LoadSummary } from '@rightsize/loadtest/summary-schema';
import type { LoadProgress } from '../engine/events.js';
import { SweepError } from '../errors.js';

export interface LoadResult {
  summary: LoadSummary;
  summaryFile: string;
}

export interface LoadDriver {
  run(request: LoadOptionsInput, hooks: { signal: AbortSignal; onProgress: (p: LoadProgress) => void; onLog: (message: string) => void }): Promise<LoadResult>;
}

/** Load-runner errors that no retry can fix: stop the sweep and say what to do. */
const FATAL = new Set(['LOAD_ERR_BAD_OPTION', 'LOAD_ERR_BAD_ENV', 'LOAD_ERR_TARGET_REFUSED', 'LOAD_ERR_ENGINE_MISSING', 'LOAD_ERR_PAYLOADS']);

export function isFatalLoadError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && FATAL.has((error as { code?: string }).code ?? '');
}

export function createLoadtestDriver(options: { docker: Docker }): LoadDriver {
  return {
    async run(request, hooks) {
      try {
        const result = await runLoad(request, {
          signal: hooks.signal,
          docker: options.docker,
          onEvent: (e) => {
            if (e.type === 'progress' && e.elapsedS !== null) {
              const rps = e.rps ?? 0;
              hooks.onProgress({
                users: e.users ?? 0,
                step_users: e.step?.users ?? e.step?.target ?? null,
                elapsed_s: e.elapsedS,
                rps,
                error_rate: rps > 0 ? Math.min(1, (e.failedPerS ?? 0) / rps) : 0,
                p95_ms: e.p95Ms,
                generator: { cpu_pct: e.generatorCpuPct, mem_mib: e.generatorMemMb, dropped: e.dropped },
              });
            } else if (e.type === 'log' && e.level !== 'info') hooks.onLog(e.message);
            else if (e.type === 'stopping') hooks.onLog(`load stopping: ${e.reason}`);
          },
        });
        return { summary: result.summary, summaryFile: result.summaryPath };
      } catch (error) {
        if (isFatalLoadError(error)) {
          throw new SweepError('SWEEP_ERR_LOAD', (error as Error).message, { cause: error, hint: 'fix the load setup; retrying the trial would fail the same way' });
        }
        throw error;
      }
    },
  };
}
