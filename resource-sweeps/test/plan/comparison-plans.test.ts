/**
 * The `mlflow models serve` comparison is two plans (plans/mlflow-serve.yaml and
 * plans/mlflow-serve-ours.yaml); `report --compare` is only fair while they offer the same load
 * against the same objective, so they are checked against each other here.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { defineRecipes } from '@rightsize/compose/images/recipes';
import { loadPlanFile } from '../../src/plan/load-plan.js';

const PLANS = fileURLToPath(new URL('../../plans/', import.meta.url));
const load = async (name: string) => (await loadPlanFile({ file: `${name}.yaml`, cwd: PLANS })).plan;

test('the mlflow-serve plan and ours offer the same load, objective and trial settings', async () => {
  const [mlflow, ours] = await Promise.all([load('mlflow-serve'), load('mlflow-serve-ours')]);
  assert.deepEqual(ours.load, mlflow.load);
  assert.deepEqual(ours.objective, mlflow.objective);
  assert.deepEqual(ours.trial, mlflow.trial);
  assert.deepEqual(ours.search, mlflow.search);
  assert.equal(ours.target.protocol, mlflow.target.protocol, 'the same request and response on both sides');
  for (const [key, values] of Object.entries(mlflow.candidates)) {
    const theirs = new Set((ours.candidates as Record<string, number[]>)[key]);
    assert.ok(values.every((v: number) => theirs.has(v)), `ours covers MLflow's candidates.${key}, so every configuration lines up`);
  }
});

test('the mlflow-serve plan targets the image the builder tags, over MLflow\'s protocol and health route', async () => {
  const plan = await load('mlflow-serve');
  const tags = defineRecipes({ apiVersion: '0', modelVersion: '0' }).flatMap((r) => r.tags);
  assert.ok(tags.includes(plan.target.image), `${plan.target.image} is built by npm run images`);
  assert.equal(plan.target.protocol, 'mlflow');
  assert.equal(plan.target.health_path, '/health');
  assert.ok(Math.min(...plan.candidates.memory) >= 320, 'below ~300 MiB mlflow models serve does not start (OOM-killed)');
});
