/**
 * Watches a running engine: a progress event every second (step, req/s, failures, users,
 * generator CPU/memory) and the hard time bound. On the deadline or the caller's abort it
 * asks the engine to stop (it still writes its result) and remembers why.
 */
import { stepAt, type StepSchedule } from '../../k6/lib/schedule.js';
import type { LoadEvent } from '../events.js';
import type { GeneratorSample } from '../generator-health.js';
import { liveRates, readK6Live } from './k6-live.js';
import type { LineHandler } from './lines.js';
import type { LaunchedEngine, LiveReading } from './types.js';

export interface Watcher {
  stop(): void;
  /** why the runner stopped the engine, or null if it ended by itself */
  stopReason(): string | null;
}

export function watchEngine(opts: {
  engine: Pick<LaunchedEngine, 'liveUrl' | 'interrupt'>;
  lines: LineHandler;
  schedule: StepSchedule;
  deadlineS: number;
  signal?: AbortSignal | undefined;
  emit: (e: LoadEvent) => void;
  latestSample: () => GeneratorSample | null;
}): Watcher {
  let reason: string | null = null;
  let previous: LiveReading | null = null;
  const stopWith = (why: string) => {
    if (reason !== null) return;
    reason = why;
    opts.emit({ type: 'stopping', reason: why });
    opts.engine.interrupt();
  };
  const tick = async () => {
    const t0 = opts.lines.t0Ms();
    const elapsedS = t0 === null ? null : (Date.now() - t0) / 1000;
    const step = elapsedS === null ? null : stepAt(opts.schedule, elapsedS);
    const reading = opts.engine.liveUrl ? await readK6Live(opts.engine.liveUrl, { stepIndex: step?.index ?? null }) : opts.lines.live();
    const rates = reading && previous && reading.atMs > previous.atMs ? liveRates(previous, reading) : null;
    if (reading) previous = reading;
    const sample = opts.latestSample();
    const fresh = sample !== null && Date.now() - sample.atMs < 5000;
    opts.emit({
      type: 'progress',
      elapsedS,
      step,
      rps: rates?.rps ?? null,
      failedPerS: rates?.failedPerS ?? null,
      users: reading?.vus ?? null,
      dropped: reading?.dropped ?? null,
      p95Ms: reading?.stepP95Ms ?? null,
      generatorCpuPct: fresh ? sample.cpuPct : null,
      generatorMemMb: fresh ? sample.memBytes / 2 ** 20 : null,
    });
  };
  const timer = setInterval(() => void tick(), 1000);
  const deadline = setTimeout(
    () => stopWith(`deadline: the run exceeded its bound of ${Math.round(opts.deadlineS)} s and was stopped`),
    opts.deadlineS * 1000,
  );
  const onAbort = () => stopWith('interrupted: the run was stopped before its last step (Ctrl-C or the caller)');
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    stop() {
      clearInterval(timer);
      clearTimeout(deadline);
      opts.signal?.removeEventListener('abort', onAbort);
    },
    stopReason: () => reason,
  };
}
