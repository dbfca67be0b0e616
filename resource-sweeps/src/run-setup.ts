/**
 * What a CLI or HTTP front needs to start or find a run: the plan it asked for, the reports
 * folder, run ids and folders (the machine facts a run records are adapters/machine-facts.ts).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getSweepEnv } from './config.js';
import type { SweepRequest, SweepStart } from './engine/sweep-factory.js';
import { SweepError } from './errors.js';
import { loadPlanFile } from './plan/load-plan.js';
import { SweepPlanSchema, type SweepPlan } from './plan/plan-schema.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const WORKSPACE_DIR = path.resolve(here, '..');
export const QUICK_PLAN = path.join(WORKSPACE_DIR, 'plans', 'quick.yaml');

export function reportsRoot(flag: string | null, cwd = process.cwd()): string {
  if (flag) return path.resolve(cwd, flag);
  const env = getSweepEnv().RIGHTSIZE_SWEEP_REPORTS;
  return env ? path.resolve(cwd, env) : path.join(WORKSPACE_DIR, 'reports');
}

/** A run given as a folder path or as a run id under the reports root; it must exist. */
export async function resolveRunDir(arg: string, root: string, cwd = process.cwd()): Promise<string> {
  const candidates = arg.includes('/') || arg.startsWith('.') ? [path.resolve(cwd, arg)] : [path.join(root, arg), path.resolve(cwd, arg)];
  for (const dir of candidates) {
    const s = await stat(dir).catch(() => null);
    if (s?.isDirectory()) return dir;
  }
  throw new SweepError('SWEEP_ERR_RUN_NOT_FOUND', `no run folder "${arg}"`, { file: candidates[0], hint: `run folders live in ${root}; pass a folder path or a run id from there` });
}

/** Compose files of the stack under test: RIGHTSIZE_SWEEP_COMPOSE_FILES (comma-separated, cwd-relative) or the default. */
export function composeFilesFromEnv(cwd = process.cwd()): string[] | undefined {
  return getSweepEnv().RIGHTSIZE_SWEEP_COMPOSE_FILES?.split(',').map((f) => path.resolve(cwd, f.trim()));
}

export function makeRunId(planName: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${planName}`;
}

/** A front's request with its run folder: a resumed run's found (a bad one is refused before anything touches Docker), a new run's named. */
export async function locateRun(request: SweepRequest, root: string): Promise<SweepStart> {
  if (request.kind === 'resume') return { kind: 'resume', dir: await resolveRunDir(request.run, root) };
  const runId = request.runId ?? makeRunId(request.plan.name);
  return { ...request, runId, dir: path.join(root, runId) };
}

export async function resolvePlan(options: { plan: string | null; quick: boolean }): Promise<{ plan: SweepPlan; source: string }> {
  if (options.quick) return { plan: (await loadPlanFile({ file: QUICK_PLAN })).plan, source: 'quick' };
  if (options.plan) return { plan: (await loadPlanFile({ file: options.plan })).plan, source: options.plan };
  return { plan: SweepPlanSchema.parse({}), source: 'default' };
}
