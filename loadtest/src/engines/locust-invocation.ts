/**
 * How to call Locust for a run. The same RS_* variables as k6, plus RS_PLAN: the step schedule
 * computed by loadtest/k6/lib/schedule.ts, so both engines step through exactly the same windows.
 */
import type { StepSchedule } from '../../k6/lib/schedule.js';
import type { LoadOptions } from '../options.js';
import { k6Env } from './k6-invocation.js';

export function locustEnv(options: Readonly<LoadOptions>, schedule: StepSchedule, paths: { rawSummary: string; payloads: string | null }): Record<string, string> {
  return {
    ...k6Env(options, paths),
    RS_PLAN: JSON.stringify({ steps: schedule.steps }),
    PYTHONUNBUFFERED: '1',
  };
}

export type LocustRole = { role: 'standalone'; processes: number } | { role: 'master'; workers: number; bindPort: number } | { role: 'worker'; masterHost: string; masterPort: number };

export function locustArgs(options: Readonly<LoadOptions>, locustfile: string, role: LocustRole): string[] {
  const common = ['-f', locustfile, '--host', options.target.replace(/\/+$/, '')];
  // when the shape ends, users finish the request in flight instead of being killed mid-request
  // (a killed request reaches the API but never the per-step counts); the master passes it on
  const stop = ['--stop-timeout', String(options.requestTimeoutS + 1)];
  switch (role.role) {
    case 'standalone':
      return [...common, ...stop, '--headless', '--only-summary', '--exit-code-on-error', '0', ...(role.processes > 0 ? ['--processes', String(role.processes)] : [])];
    case 'master':
      return [...common, ...stop, '--master', '--headless', '--only-summary', '--exit-code-on-error', '0', '--expect-workers', String(role.workers), '--master-bind-port', String(role.bindPort)];
    case 'worker':
      return [...common, '--worker', '--master-host', role.masterHost, '--master-port', String(role.masterPort)];
  }
}

/** "locust 2.47.0 from /.../locust (Python 3.11.7)" -> "2.47.0" */
export function parseLocustVersion(text: string): string | null {
  return /locust (\d+\.\d+\.\d+[\w.-]*)/.exec(text)?.[1] ?? null;
}
