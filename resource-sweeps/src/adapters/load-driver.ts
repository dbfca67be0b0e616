/**
 * Load for one trial through @rightsize/loadtest's runner: the plan's stepped closed model
 * from the trial's first step to the target, the objective as k6 abort-on-fail thresholds (so
 * the run ends at the first step that breaks it), the generator's fixed limits, and the
 * stack's own network as the only place the load may go. Progress events are forwarded.
 */
import type { Docker } from '@rightsize/compose/docker';
import { runLoad } from '@rightsize/loadtest/runner';
import type { LoadSummary } from '@rightsize/loadtest/summary-schema';
import { SweepError } from '../errors.js';
import type { Plan } from '../plan/plan-schema.js';
import { formatMemory } from '../plan/units.js';

export interface LoadRequest {
  plan: Plan;
  /** the trial's user counts, from its first step to the target */
  ladder: readonly number[];
  /** the balancer as the generator sees it inside the stack's network */
  url: string;
  network: string;
  owner: string;
  outDir: string;
  runId: string;
}

export interface LoadProgress {
  users: number;
  step_users: number | null;
  elapsed_s: number;
  rps: number;
  error_rate: number;
  p95_ms: number | null;
  /** the load generator's own health, when the runner knows it (the live page shows it) */
  generator?: { cpu_pct: number | null; mem_mib: number | null; dropped: number | null };
}

export interface LoadResult {
  summary: LoadSummary;
  summaryFile: string;
}

export interface LoadDriver {
  run(request: LoadRequest, hooks: { signal: AbortSignal; onProgress: (p: LoadProgress) => void; onLog: (message: string) => void }): Promise<LoadResult>;
}

/** Load-runner errors that no retry can fix: stop the sweep and say what to do. */
const FATAL = new Set(['LOAD_ERR_BAD_OPTION', 'LOAD_ERR_BAD_ENV', 'LOAD_ERR_TARGET_REFUSED', 'LOAD_ERR_ENGINE_MISSING', 'LOAD_ERR_PAYLOADS']);

export function isFatalLoadError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && FATAL.has((error as { code?: string }).code ?? '');
}

export function createLoadtestDriver(options: { docker: Docker }): LoadDriver {
  return {
    async run(request, hooks) {
      const { plan } = request;
      const first = request.ladder[0];
      const last = request.ladder[request.ladder.length - 1];
      if (first === undefined || last === undefined) throw new SweepError('SWEEP_ERR_LOAD', 'a trial needs at least one step');
      try {
        const result = await runLoad(
          {
            engine: plan.load.engine,
            scenario: plan.load.scenario,
            target: request.url,
            // the request body, route and response check follow the protocol (path defaults from it)
            protocol: plan.target.protocol,
            plan: {
              startUsers: first,
              maxUsers: last,
              stepUsers: plan.load.users.step,
              rampS: plan.load.ramp,
              holdS: plan.load.hold,
              thinkMinS: plan.load.think_time.min,
              thinkMaxS: plan.load.think_time.max,
            },
            objective: { p95Ms: plan.objective.p95_ms, p99Ms: plan.objective.p99_ms, maxErrorRate: plan.objective.max_error_rate },
            generator: { runtime: 'docker', cpus: plan.load.generator.cpus, memory: formatMemory(plan.load.generator.memory), network: request.network, networkOwner: request.owner },
            outDir: request.outDir,
            runId: request.runId,
          },
          {
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
          },
        );
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
