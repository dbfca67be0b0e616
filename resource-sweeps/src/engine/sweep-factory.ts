/**
 * The one assembly of a sweep, for every front (the CLI, the HTTP API): given the ports to the
 * machine (engine, images, facts, trial executors, owner labels) and what to start (a new plan or
 * a run folder to resume), it refuses what cannot run (no engine, a missing image, an unreadable
 * run) before anything starts, records the new run's meta, and wires the engine to a trial executor
 * under a fresh owner label, so clean-up by label never touches anything else.
 */
import type { SweepPlan } from '../plan/plan-schema.js';
import { SweepError } from '../errors.js';
import { createRunStore } from '../results/run-store.js';
import { RUN_SCHEMA_ID, type Machine, type RunMeta } from '../results/trial-record.js';
import { createSweep, type Sweep } from './sweep-engine.js';
import type { TrialExecutor } from './trial-executor.js';

/** What a front asks for: a new run of a plan (its id, or one made from the plan's name), or a run to continue (a folder or a run id). */
export type SweepRequest = { kind: 'new'; plan: SweepPlan; source: string; runId: string | null } | { kind: 'resume'; run: string };

/** A request with its run folder found (resume) or chosen (new). */
export type SweepStart = { kind: 'new'; plan: SweepPlan; source: string; runId: string; dir: string } | { kind: 'resume'; dir: string };

/** What the factory needs from the machine; src/adapters/docker-sweep-ports.ts gives the Docker ones. */
export interface SweepPorts {
  /** throws SWEEP_ERR_DOCKER when no engine answers */
  requireEngine(): Promise<void>;
  imagePresent(image: string): Promise<boolean>;
  machine(): Promise<Machine>;
  gitCommit(): Promise<string | null>;
  /** refuses a plan this machine cannot run as asked (runtime: swarm on an engine outside swarm mode), before anything starts */
  checkRuntime?(plan: SweepPlan): Promise<void>;
  /** a fresh owner label value for one sweep's Docker objects */
  createOwner(): string;
  /** the trial executor of one sweep, labelling what it starts with `owner` */
  trialExecutor(owner: string): TrialExecutor;
  /** removes everything labelled with `owner` */
  removeOwner(owner: string): Promise<void>;
}

/** A sweep ready to run: built by a factory (Docker in real use, a synthetic executor in tests). */
export interface PreparedSweep {
  sweep: Sweep;
  runId: string;
  dir: string;
  plan: SweepPlan;
  /** the owner label value of its Docker objects (finds the trial's balancer); null without Docker */
  owner: string | null;
  /** removes what is left of it in Docker; run after the sweep ends */
  dispose(): Promise<void>;
}

export interface SweepFactoryOptions {
  ports: SweepPorts;
  /** the key a missing image is reported under: where the front's user wrote the image (`target.image` in a plan file, `plan.target.image` in a request body) */
  imageKey: string;
}

export function createSweepFactory(options: SweepFactoryOptions): (start: SweepStart, signal: AbortSignal) => Promise<PreparedSweep> {
  const { ports } = options;
  return async (start, signal) => {
    await ports.requireEngine();
    let meta: RunMeta | undefined;
    if (start.kind === 'new') {
      const { image } = start.plan.target;
      if (!(await ports.imagePresent(image))) {
        throw new SweepError('SWEEP_ERR_STACK_UP', `image ${image} is not present`, { key: options.imageKey, hint: 'build the images with `npm run images -- --offline` (no registry is reachable to pull from)' });
      }
      meta = { schema: RUN_SCHEMA_ID, run_id: start.runId, created_at: new Date().toISOString(), plan_source: start.source, plan: start.plan, machine: await ports.machine(), git_commit: await ports.gitCommit() };
    }
    const store = createRunStore({ dir: start.dir });
    // a resumed run reads its plan back; an unreadable run.json is the request's problem, said now
    const runMeta = meta ?? (await store.readMeta());
    await ports.checkRuntime?.(runMeta.plan);
    const owner = ports.createOwner();
    const sweep = createSweep({ store, ...(meta ? { meta } : {}), executor: ports.trialExecutor(owner), signal });
    return { sweep, runId: runMeta.run_id, dir: start.dir, plan: runMeta.plan, owner, dispose: () => ports.removeOwner(owner) };
  };
}
