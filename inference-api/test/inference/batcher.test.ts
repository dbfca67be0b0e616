import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDirectInference, createMicroBatcher } from '../../src/inference/batcher.js';
import type { LoadedModel } from '../../src/model/load-model.js';
import { loadTestModel, suiteScope } from '../helpers/app.js';
import { readGolden } from '../helpers/golden.js';

const golden = readGolden();

describe('micro-batching', () => {
  const scope = suiteScope(after);
  let model: LoadedModel;
  before(async () => {
    model = await loadTestModel(scope);
  });
  const encode = (i: number) => {
    const b = model.inputs.allocate(1);
    model.inputs.write(b, 0, golden.rows[i]!);
    return b;
  };
  const label = (slice: Awaited<ReturnType<ReturnType<typeof createDirectInference>['infer']>>) =>
    (model.outputs.decode(slice.outputs, slice.offset) as { label: string }).label;

  it('coalesces requests made in the same event-loop turn into one session.run', async () => {
    const runs: number[] = [];
    const batcher = createMicroBatcher({ inputs: model.inputs, run: model.run, observe: (rows) => runs.push(rows), maxRows: 64, maxWaitMs: 0 });
    const slices = await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.infer(encode(i))));
    assert.deepEqual(runs, [10]);
    assert.deepEqual(slices.map(label), golden.labels.slice(0, 10), 'each request gets its own rows back');
  });
  it('flushes as soon as a batch holds maxRows rows', async () => {
    const runs: number[] = [];
    const batcher = createMicroBatcher({ inputs: model.inputs, run: model.run, observe: (rows) => runs.push(rows), maxRows: 4, maxWaitMs: 1000 });
    const started = Date.now();
    const slices = await Promise.all(Array.from({ length: 8 }, (_, i) => batcher.infer(encode(i))));
    assert.deepEqual(runs, [4, 4]);
    assert.ok(Date.now() - started < 900, 'full batches do not wait for maxWaitMs');
    assert.deepEqual(slices.map(label), golden.labels.slice(0, 8));
  });
  it('waits up to maxWaitMs for more requests', async () => {
    const runs: number[] = [];
    const batcher = createMicroBatcher({ inputs: model.inputs, run: model.run, observe: (rows) => runs.push(rows), maxRows: 64, maxWaitMs: 50 });
    const first = batcher.infer(encode(0));
    await new Promise((r) => setTimeout(r, 10));
    const second = batcher.infer(encode(1));
    await Promise.all([first, second]);
    assert.deepEqual(runs, [2]);
  });
  it('runs a request holding a full batch on its own', async () => {
    const runs: number[] = [];
    const batcher = createMicroBatcher({ inputs: model.inputs, run: model.run, observe: (rows) => runs.push(rows), maxRows: 3, maxWaitMs: 0 });
    const big = model.inputs.allocate(3);
    golden.rows.slice(0, 3).forEach((r, i) => model.inputs.write(big, i, r));
    const slice = await batcher.infer(big);
    assert.deepEqual([runs, slice.n, slice.offset], [[3], 3, 0]);
  });
  it('rejects every request of a batch whose run fails', async () => {
    const batcher = createMicroBatcher({ inputs: model.inputs, run: async () => Promise.reject(new Error('boom')), maxRows: 8, maxWaitMs: 0 });
    const results = await Promise.allSettled([batcher.infer(encode(0)), batcher.infer(encode(1))]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  });
  it('runs each request alone without batching', async () => {
    const runs: number[] = [];
    const direct = createDirectInference({ inputs: model.inputs, run: model.run, observe: (rows) => runs.push(rows) });
    await Promise.all([direct.infer(encode(0)), direct.infer(encode(1))]);
    assert.deepEqual(runs, [1, 1]);
  });
});
