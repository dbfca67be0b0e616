/**
 * What a run tells its caller while it goes: the terminal progress and the sweep (which
 * forwards it to its own consumers) read the same typed events. Data, not text.
 */
import type { ScheduledStep } from '../k6/lib/schedule.js';
import type { EngineName, LoadSummary } from './summary-schema.js';

export type LoadEvent =
  | {
      type: 'start';
      runId: string;
      outDir: string;
      engine: EngineName;
      runtime: 'local' | 'docker';
      scenario: string;
      model: 'closed' | 'open';
      steps: readonly ScheduledStep[];
      /** the hard bound: the run is stopped if it lasts longer */
      deadlineS: number;
    }
  | {
      type: 'progress';
      /** seconds since the test clock started; null while the engine initialises */
      elapsedS: number | null;
      step: ScheduledStep | null;
      rps: number | null;
      failedPerS: number | null;
      /** virtual users (k6) or users (Locust) running */
      users: number | null;
      dropped: number | null;
      /** p95 of the running step's requests so far (ms; k6: its step sub-metric, Locust: its step histogram) */
      p95Ms: number | null;
      generatorCpuPct: number | null;
      generatorMemMb: number | null;
    }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'stopping'; reason: string }
  | { type: 'end'; summary: LoadSummary; summaryPath: string };

export type OnLoadEvent = (event: LoadEvent) => void;
