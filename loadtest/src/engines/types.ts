/**
 * The generator's contracts: what a launch returns whichever engine and runtime it used, and what
 * an engine (k6, Locust) contributes to a launch so that one runtime (a local process, Docker
 * containers) can start either.
 */
import type { StepSchedule } from '../../k6/lib/schedule.js';
import type { LoadOptions } from '../options.js';
import type { Sampler } from '../sampling/types.js';

/** A started engine, whichever runtime it runs in. */
export interface LaunchedEngine {
  runtime: 'local' | 'docker';
  engineVersion: string;
  /** host path where the engine writes its raw result */
  rawPath: string;
  /** base URL of the engine's live stats (k6 REST API), if any */
  liveUrl: string | null;
  /** resolves to the engine's exit code (null when killed by a signal) */
  done: Promise<number | null>;
  /** asks the engine to stop and still write its result; kills it if it does not exit in time */
  interrupt(): void;
  sampler: Sampler;
  /** CPU share the samples are relative to (cores) */
  cpuShare: number;
  /** removes what the launch created (container); safe to call twice */
  cleanup(): Promise<void>;
}

export type OnEngineLine = (line: string) => void;

/** Live counters of a running engine (k6's REST API, Locust's RS_LIVE lines). */
export interface LiveReading {
  atMs: number;
  requests: number;
  failed: number;
  vus: number;
  dropped: number;
  /** p95 of the running step's requests so far (ms), when the engine tells it */
  stepP95Ms: number | null;
}

/**
 * One instance of a run split across `count` generators (`generators: N`): which one it is, and
 * the wall-clock ms at which every instance starts its schedule (so their steps line up).
 */
export interface InstanceShare {
  index: number;
  count: number;
  startAtMs: number;
}

/** What an engine is given to build its command: the run, and its files as the engine sees them. */
export interface EngineContext {
  options: Readonly<LoadOptions>;
  schedule: StepSchedule;
  /** where the engine writes its raw result */
  rawSummary: string;
  /** the payloads file; null = the scripts' default next to them */
  payloads: string | null;
  /** the run folder (this instance's, when the run is split) */
  outDir: string;
  /** set when the run is split across several instances; null or absent = one generator */
  share?: InstanceShare | null | undefined;
}

/** How an engine runs as a local process. */
export interface LocalCommand {
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  liveUrl: string | null;
  /** it forks worker processes, sampled together with it */
  forks: boolean;
}

/** How an engine runs in containers; the runtime adds image, limits, labels, mounts and pinning. */
export interface ContainerCommand {
  /** the engine's scripts on the host, mounted read-only at `scriptsIn` */
  scripts: string;
  scriptsIn: string;
  /** the image's own user, where the caller's uid (which can write the run folder) cannot be read */
  imageUid: number;
  env: Record<string, string>;
  workdir?: string;
  entrypoint?: string;
  /** name suffix and command of each container: the main one first (its logs and exit are the run's), then any workers */
  containers: { name: string; command: string[] }[];
  /** cores the containers are pinned to together */
  pinnedCpus: number;
  /** k6's REST API: a port of the host (host network) or of the container, published */
  live: { hostPort: number } | { containerPort: number } | null;
}

/** What one engine contributes to a launch; the runtime does the rest. */
export interface GeneratorEngine {
  /** the image when --image is not given */
  defaultImage(): string;
  /** the local executable: the configured one as is, else the first executable candidate */
  localBinary(): { configured: string | undefined; candidates: string[] };
  /** the LOAD_ERR_ENGINE_MISSING message when there is no local executable */
  noBinary: string;
  /** what --runtime local needs instead of the image, for the missing-image message */
  localHint: string;
  versionArgs: string[];
  parseVersion(text: string): string | null;
  /** the polite stop after which the engine still writes its result */
  stopSignal: NodeJS.Signals;
  /** how long a container gets after it before it is killed */
  stopGraceMs: number;
  /** how long a local process gets at clean-up */
  cleanupGraceMs: number;
  /** one thread per process (gevent): each process's share is at most one core */
  singleThreaded: boolean;
  local(ctx: EngineContext): Promise<LocalCommand>;
  /** `hostNet`: on the host's network (loopback target), so ports must be free host ports */
  inContainers(ctx: EngineContext & { hostNet: boolean; namePrefix: string }): Promise<ContainerCommand>;
}
