// The API's predictions equal scikit-learn's on the 143 held-out rows (labels exact,
// probabilities within 1e-5), one request per row and as one batch, with and without micro-batching.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { App } from '../../src/app.js';
import type { LoadedModel } from '../../src/model/load-model.js';
import { createTestApp, loadTestModel, suiteScope } from '../helpers/app.js';
import { readGolden } from '../helpers/golden.js';

const golden = readGolden();
type Prediction = { label: string; probabilities: Record<string, number> };

function assertMatchesGolden(predictions: Prediction[]) {
  assert.equal(predictions.length, golden.rows.length);
  predictions.forEach((p, i) => {
    assert.equal(p.label, golden.labels[i], `row ${i} label`);
    golden.classes.forEach((c, j) => {
      const diff = Math.abs(p.probabilities[c]! - golden.probabilities[i]![j]!);
      assert.ok(diff <= 1e-5, `row ${i} P(${c}) differs from scikit-learn by ${diff}`);
    });
  });
}

describe('parity with scikit-learn (model/golden/breast-cancer-gbt.json)', () => {
  const scope = suiteScope(after);
  let model: LoadedModel;
  let batching: App;
  let direct: App;
  before(async () => {
    model = await loadTestModel(scope);
    batching = await createTestApp(scope, { MICRO_BATCHING: 'on', MICRO_BATCH_MAX_ROWS: '16' }, model);
    direct = await createTestApp(scope, { MICRO_BATCHING: 'off' }, model);
  });
  const post = (app: App, body: unknown) => app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });

  it('matches as one batch request', async () => {
    const res = await post(direct, golden.rows);
    assert.equal(res.statusCode, 200);
    assertMatchesGolden(res.json().predictions);
  });
  it('matches one request per row, without micro-batching', async () => {
    const answers = await Promise.all(golden.rows.map((r) => post(direct, r)));
    assertMatchesGolden(answers.map((a) => a.json()));
  });
  it('matches one request per row when concurrent requests are micro-batched together', async () => {
    const answers = await Promise.all(golden.rows.map((r) => post(batching, r)));
    assertMatchesGolden(answers.map((a) => a.json()));
    const metrics = (await batching.inject('/metrics')).body;
    const count = Number(/^inference_batch_rows_count (\d+)$/m.exec(metrics)?.[1]);
    const sum = Number(/^inference_batch_rows_sum (\d+)$/m.exec(metrics)?.[1]);
    assert.equal(sum, golden.rows.length);
    assert.ok(count < golden.rows.length, `requests were coalesced (${count} runs for ${sum} rows)`);
  });
});
