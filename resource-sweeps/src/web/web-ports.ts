/**
 * What the live page/API receives from outside, and all it knows of Docker and the load runner:
 * a sweep factory, a load port (ad-hoc loads, the route the load hits), and where the balancer's
 * stats are. The real ones are built in src/adapters/docker-web-ports.ts; tests pass synthetic ones.
 */
import type { PreparedSweep, SweepRequest } from '../engine/sweep-factory.js';
import type { Target } from '../plan/plan-schema.js';
import type { BalancerView } from './balancer.js';

/** Builds sweeps for POST /api/sweep. */
export type SweepFactory = (request: SweepRequest, signal: AbortSignal) => Promise<PreparedSweep>;

/** One ad-hoc load: `users` users started over `rampS` seconds, then held for `holdS`, against `target` + `path`. */
export interface AdhocLoadRequest {
  target: string;
  path: string;
  users: number;
  rampS: number;
  holdS: number;
  runId: string;
}

export type AdhocLoadEvent =
  | { type: 'start' }
  /** about once a second while the load runs */
  | { type: 'progress'; elapsed_s: number; rps: number; failed_per_s: number; users: number; p95_ms: number | null; generator: { cpu_pct: number | null; mem_mib: number | null; dropped: number | null } }
  | { type: 'warning'; message: string };

/** A finished step that counted requests; wall clock in ms (a step cut short ends when the load did). */
export interface AdhocLoadStep {
  start_ms: number;
  end_ms: number;
  users: number;
  requests: number;
  failures: number;
  rps: number;
  error_rate: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  /** the generator kept up */
  valid: boolean;
}

/** The load runner as the live page sees it. */
export interface LoadPort {
  /** the route the load runner sends to for the protocol (the stats rows are named after it) */
  requestPath(protocol: Target['protocol']): string;
  /** the load runner's own target guard; a refused target is SWEEP_ERR_TARGET_REFUSED */
  checkTarget(url: string): Promise<void>;
  /**
   * Runs until the load ends or `signal` aborts. Failures the runner names come back as
   * SweepErrors (SWEEP_ERR_TARGET_REFUSED, SWEEP_ERR_BAD_REQUEST, SWEEP_ERR_LOAD); others as they are.
   */
  run(request: AdhocLoadRequest, hooks: { signal: AbortSignal; onEvent(event: AdhocLoadEvent): void }): Promise<AdhocLoadStep[]>;
}

/** Where the balancer's stats are: the running trial's HAProxy, or a stack started by hand. */
export interface BalancerSource {
  /** the owner label value of the sweep whose trial stacks to look for (null: none running) */
  setOwner(owner: string | null): void;
  /** null when nothing answers */
  read(): Promise<BalancerView | null>;
  /** what read() tries, for error messages */
  describe(): string;
}

export interface WebPorts {
  /** null: the server only follows a sweep attached by the CLI (`--serve`) */
  factory: SweepFactory | null;
  load: LoadPort;
  balancer: BalancerSource;
}
