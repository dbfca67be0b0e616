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
