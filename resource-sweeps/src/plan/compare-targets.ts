/**
 * The targets a comparison sweeps (`npm run sweep -- --compare [targets]`): our API and the two
 * servers users would run instead, each as the plan's `target` plus what it needs to start at
 * all. The comparison runs the same plan (load, objective, trial settings, search, CPU and
 * replica candidates) against each; only a peer's memory candidates and start-up timeout differ,
 * because the Python servers are OOM-killed at start below about 300 MiB and import MLflow for
 * tens of seconds under a small CPU quota (compose/README.md has what each was measured to need).
Pure.
 */
import { SweepError } from '../errors.js';
import { SweepPlanSchema, TargetSchema, type SweepPlan, type Target } from './plan-schema.js';

export type CompareTarget = {
  name: string;
  /** one line for the report */
  description: string;
  target: Target;
  /** memory candidates (MiB) replacing the plan's when any of the plan's is below `min_memory_mib` */
  memory?: number[];
  /** the least memory it starts in (MiB), measured */
  min_memory_mib?: number;
  /** start-up allowance (s) when the plan's is shorter */
  healthy_timeout_s?: number;
};

export const COMPARE_TARGETS: Readonly<Record<string, CompareTarget>> = Object.freeze({
  rightsize: {
    name: 'rightsize',
    description: 'rightsize-api: Fastify + onnxruntime-node, POST /predict',
    target: TargetSchema.parse({ image: 'rightsize-api:latest', protocol: 'rightsize', health_path: '/health/ready' }),
  },
  'mlflow-serve': {
    name: 'mlflow-serve',
    description: '`mlflow models serve` (1 uvicorn worker), POST /invocations with dataframe_records',
    target: TargetSchema.parse({ image: 'rightsize-mlflow-serve:latest', protocol: 'mlflow', health_path: '/health', env: { MLFLOW_SERVE_WORKERS: 1 } }),
    // the mlflow CLI stays resident beside its worker: about 290 MiB; 256m is OOM-killed at start
    memory: [320, 384, 512],
    min_memory_mib: 300,
    healthy_timeout_s: 240,
  },
  fastapi: {
    name: 'fastapi',
    description: "the workshop's FastAPI + pydantic + uvicorn server (1 worker, mlflow.pyfunc), POST /predict",
    target: TargetSchema.parse({ image: 'rightsize-fastapi:latest', protocol: 'fastapi', health_path: '/health' }),
    // 145-204 MiB once serving (compose/README.md, "The fastapi image"); no mlflow CLI beside it
    memory: [256, 320, 384],
    min_memory_mib: 200,
    healthy_timeout_s: 240,
  },
});

/** ours and the two peers, in the report's order */
export const DEFAULT_COMPARE = ['rightsize', 'mlflow-serve', 'fastapi'] as const;

/** One entry of `--compare`: a target to sweep now, or a finished (or interrupted) run to reuse. */
export type CompareItem = { name: string; preset: CompareTarget | null; run: string | null };

/**
 * `--compare` list: comma-separated; each item a target name (swept now), `name=<run>` (that
 * target, reusing a run folder or id), or a bare run folder or id (named after the run).
 */
export function parseCompareList(value: string): CompareItem[] {
  const parts = value.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) throw compareArgError(`--compare "${value}" has an empty item`);
  const items = parts.map((p): CompareItem => {
    const eq = p.indexOf('=');
    if (eq >= 0) {
      const name = p.slice(0, eq);
      const run = p.slice(eq + 1);
      if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || run === '') throw compareArgError(`--compare item "${p}": expected name=<run folder or id>, the name in lowercase letters, digits and dashes`);
      return { name, preset: COMPARE_TARGETS[name] ?? null, run };
    }
    const preset = COMPARE_TARGETS[p];
    return preset ? { name: p, preset, run: null } : { name: p, preset: null, run: p };
  });
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.name)) throw compareArgError(`--compare names "${item.name}" twice`);
    seen.add(item.name);
  }
  return items;
}

function compareArgError(message: string): SweepError {
  return new SweepError('SWEEP_ERR_ARGS', message, {
    key: '--compare',
    hint: `targets: ${Object.keys(COMPARE_TARGETS).join(', ')}; reuse a run with name=<run id>, e.g. --compare rightsize=20261207-024900-default,mlflow-serve,fastapi`,
  });
}

/** The plan one target is swept with: the comparison's plan with this target and what it needs to start. */
export function planForTarget(plan: SweepPlan, preset: CompareTarget): SweepPlan {
  const floor = preset.min_memory_mib ?? 0;
  const memory = preset.memory && plan.candidates.memory.some((m) => m < floor) ? preset.memory : plan.candidates.memory;
  return SweepPlanSchema.parse({
    ...plan,
    name: `${plan.name}-${preset.name}`.slice(0, 80),
    description: `${preset.description}; plan ${plan.name}`,
    target: preset.target,
    candidates: { ...plan.candidates, memory },
    trial: { ...plan.trial, healthy_timeout: Math.max(plan.trial.healthy_timeout, preset.healthy_timeout_s ?? 0) },
  });
}
