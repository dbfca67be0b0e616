// Runs inference for requests, either one session.run per request or coalesced: requests that
// arrive close together are copied into one batch and run once (what Triton's dynamic batcher,
// BentoML's adaptive batching and MLServer's adaptive batching do). For small models the per-call
// overhead of session.run dominates, so one run of 32 rows costs about what one run of 1 costs.
//
// A batch is flushed when it holds maxRows rows, or maxWaitMs after its first request
// (0 = at the end of the current event-loop turn, via setImmediate).
import { performance } from 'node:perf_hooks';
import type { EncodedBatch, InputMapping, SlotArray } from '../model/input-mapping.js';
import type { OutputMap } from '../model/output-mapping.js';

/** A request's share of a run: its rows are offset .. offset + n - 1 of `outputs`. */
export interface RunSlice {
  outputs: OutputMap;
  offset: number;
  n: number;
}

export interface Inference {
  infer(batch: EncodedBatch): Promise<RunSlice>;
  /** Rows waiting for the next flush (0 without batching). */
  pendingRows(): number;
}

export interface InferenceOptions {
  inputs: Pick<InputMapping, 'allocate' | 'slots'>;
  run: (batch: EncodedBatch) => Promise<OutputMap>;
  /** Called after every session.run with its row count and duration. */
  observe?: (rows: number, seconds: number) => void;
}

export interface MicroBatchOptions extends InferenceOptions {
  maxRows: number;
  maxWaitMs: number;
}

async function timed(options: InferenceOptions, batch: EncodedBatch): Promise<OutputMap> {
  const start = performance.now();
  const outputs = await options.run(batch);
  options.observe?.(batch.n, (performance.now() - start) / 1000);
  return outputs;
}

export function createDirectInference(options: InferenceOptions): Inference {
  return {
    async infer(batch) {
      return { outputs: await timed(options, batch), offset: 0, n: batch.n };
    },
    pendingRows: () => 0,
  };
}

interface Pending {
  batch: EncodedBatch;
  resolve: (slice: RunSlice) => void;
  reject: (err: unknown) => void;
}

export function createMicroBatcher(options: MicroBatchOptions): Inference {
  const { inputs, maxRows, maxWaitMs } = options;
  let pending: Pending[] = [];
  let rows = 0;
  let immediate: NodeJS.Immediate | null = null;
  let timer: NodeJS.Timeout | null = null;

  function flush(): void {
    if (immediate) clearImmediate(immediate);
    if (timer) clearTimeout(timer);
    immediate = null;
    timer = null;
    const entries = pending;
    const total = rows;
    pending = [];
    rows = 0;
    if (entries.length === 0) return;
    const merged = entries.length === 1 ? entries[0]!.batch : merge(entries, total);
    timed(options, merged).then(
      (outputs) => {
        let offset = 0;
        for (const e of entries) {
          e.resolve({ outputs, offset, n: e.batch.n });
          offset += e.batch.n;
        }
      },
      (err: unknown) => {
        for (const e of entries) e.reject(err);
      },
    );
  }

  function merge(entries: Pending[], total: number): EncodedBatch {
    const out = inputs.allocate(total);
    for (let s = 0; s < inputs.slots.length; s++) {
      const width = inputs.slots[s]!.rowSize;
      const target = out.arrays[s]!;
      let offset = 0;
      for (const e of entries) {
        copyInto(target, e.batch.arrays[s]!, offset * width);
        offset += e.batch.n;
      }
    }
    return out;
  }

  return {
    infer(batch) {
      // Requests as large as a whole batch gain nothing from waiting.
      if (batch.n >= maxRows) return timed(options, batch).then((outputs) => ({ outputs, offset: 0, n: batch.n }));
      if (rows + batch.n > maxRows) flush();
      return new Promise<RunSlice>((resolve, reject) => {
        pending.push({ batch, resolve, reject });
        rows += batch.n;
        if (rows >= maxRows) flush();
        else if (!immediate && !timer) {
          if (maxWaitMs === 0) immediate = setImmediate(flush);
          else timer = setTimeout(flush, maxWaitMs);
        }
      });
    },
    pendingRows: () => rows,
  };
}

function copyInto(target: SlotArray, source: SlotArray, at: number): void {
  if (Array.isArray(target)) {
    const src = source as string[];
    for (let i = 0; i < src.length; i++) target[at + i] = src[i]!;
  } else {
    (target as Float32Array).set(source as Float32Array, at);
  }
}
