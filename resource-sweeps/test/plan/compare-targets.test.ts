/**
 * The comparison's targets: each is the plan's target plus what its server needs to start; the
 * load, objective, search and CPU/replica candidates stay the plan's, so the sweeps compare.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineRecipes } from '@rightsize/compose/images/recipes';
import { COMPARE_TARGETS, DEFAULT_COMPARE, planForTarget } from '../../src/plan/compare-targets.js';
import { SweepPlanSchema } from '../../src/plan/plan-schema.js';

test('every comparison target is an image the builder tags', () => {
  const tags = defineRecipes({ apiVersion: '0', modelVersion: '0' }).flatMap((r) => r.tags);
  for (const name of DEFAULT_COMPARE) {
    const t = COMPARE_TARGETS[name];
    assert.ok(t && tags.includes(t.target.image), `${name}: ${t?.target.image} is built by npm run images`);
  }
});

test('a peer keeps the plan\'s load, objective and CPU grid; memory below its floor and a short start-up are replaced', () => {
  const plan = SweepPlanSchema.parse({});
  const peer = planForTarget(plan, COMPARE_TARGETS['mlflow-serve']!);
  assert.deepEqual(peer.load, plan.load);
  assert.deepEqual(peer.objective, plan.objective);
  assert.deepEqual(peer.search, plan.search);
  assert.deepEqual(peer.candidates.cpus, plan.candidates.cpus);
  assert.deepEqual(peer.candidates.replicas, plan.candidates.replicas);
  assert.deepEqual(peer.candidates.memory, [320, 384, 512], 'the default 128m-256m is below what mlflow models serve starts in');
  assert.equal(peer.target.protocol, 'mlflow');
  assert.equal(peer.target.health_path, '/health');
  assert.equal(peer.trial.healthy_timeout, 240);
  assert.equal(peer.name, 'default-mlflow-serve');
  const ours = planForTarget(plan, COMPARE_TARGETS['rightsize']!);
  assert.deepEqual(ours.candidates, plan.candidates);
  assert.equal(ours.trial.healthy_timeout, plan.trial.healthy_timeout);
  const roomy = SweepPlanSchema.parse({ candidates: { memory: ['384m', '512m'] } });
  assert.deepEqual(planForTarget(roomy, COMPARE_TARGETS['fastapi']!).candidates.memory, [384, 512], 'a plan whose memory fits keeps it');
});
