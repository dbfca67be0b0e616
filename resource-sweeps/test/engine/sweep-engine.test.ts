import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSweep } from '../../src/engine/sweep-engine.js';
import { isSearchComplete } from '../../src/engine/replay.js';
import { createRunStore } from '../../src/results/run-store.js';
import { RUN_SCHEMA_ID, type RunMeta } from '../../src/results/trial-record.js';
import { SweepPlanSchema, type SweepPlanInput } from '../../src/plan/plan-schema.js';
import { configKey } from '../../src/core/config-space.js';
import { SummarySchema } from '../../src/summary/summary-schema.js';
import { createSyntheticExecutor } from '../support/synthetic-executor.js';
import { createRandom, randomMonotoneCapacity } from '../support/synthetic-oracle.js';
import type { SweepEventName } from '../../src/engine/events.js';

const PLAN_INPUT: SweepPlanInput = {
  name: 'engine-test',
  load: { users: { from: 500, to: 5000, step: 500 } },
  candidates: { replicas: [1, 2], cpus: [0.25, 0.5, 1, 2], memory: [256, 512] },
};

function meta(planInput: SweepPlanInput = PLAN_INPUT): RunMeta {
  return {
    schema: RUN_SCHEMA_ID,
    run_id: 'run-engine-test',
    created_at: '2025-01-01T00:00:00.000Z',
    plan_source: 'test',
    plan: SweepPlanSchema.parse(planInput),
    machine: { hostname: 'test', cores: 2, mem_mib: 24000, node: process.version, docker: null, compose: null, loadavg_1m: 0.1 },
    git_commit: null,
  };
}

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rs-engine-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const plan = SweepPlanSchema.parse(PLAN_INPUT);
const capacity = randomMonotoneCapacity(createRandom(11), plan.candidates, 5000);

test('a sweep runs the search, appends every trial, and writes summary, report.md and report.html', async (t) => {
  const dir = await tempDir(t);
  const store = createRunStore({ dir });
  const executor = createSyntheticExecutor({ capacity });
  const sweep = createSweep({ store, meta: meta(), executor, now: () => new Date('2025-01-01T01:00:00Z') });
  const seen: SweepEventName[] = [];
  sweep.events.onAny((name) => seen.push(name));
  const result = await sweep.run();

  assert.equal(result.stopped, false);
  assert.equal(result.summary.complete, true);
  const { records } = await store.read();
  assert.equal(records.length, executor.ran.length);
  assert.equal(result.summary.counts.trials, records.length);
  assert.ok(records.length < result.summary.counts.grid_size);
  SummarySchema.parse(JSON.parse(await readFile(path.join(dir, 'summary.json'), 'utf8')));
  const html = await readFile(path.join(dir, 'report.html'), 'utf8');
  assert.match(html, /<svg/);
  assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/, 'self-contained: no scripts, no network references');
  assert.match(await readFile(path.join(dir, 'report.md'), 'utf8'), /## Answers/);
  assert.ok(seen.includes('sweep:start') && seen.includes('trial:start') && seen.includes('trial:end') && seen.at(-1) === 'sweep:end');
  // the answer equals the table's truth
  for (const r of result.summary.per_replicas) {
    const truth = plan.candidates.cpus
      .flatMap((c) => plan.candidates.memory.map((m) => ({ replicas: r.replicas, cpus: c, memory_mib: m })))
      .filter((c) => (capacity.get(configKey(c)) ?? 0) >= 5000)
      .sort((a, b) => a.cpus - b.cpus || a.memory_mib - b.memory_mib)[0];
    assert.equal(r.best ? configKey(r.best.config) : null, truth ? configKey(truth) : null);
  }
});

test('stopping a sweep mid-way keeps every finished trial, and --resume finishes it without repeating one', async (t) => {
  const dir = await tempDir(t);
  const controller = new AbortController();
  let started = 0;
  const first = createSyntheticExecutor({
    capacity,
    beforeTrial: () => {
      if (++started === 3) controller.abort(new Error('Ctrl-C'));
    },
  });
  const stopped = await createSweep({ store: createRunStore({ dir }), meta: meta(), executor: first, signal: controller.signal }).run();
  assert.equal(stopped.stopped, true);
  assert.equal(stopped.summary.complete, false);
  const kept = (await createRunStore({ dir }).read()).records;
  assert.equal(kept.length, 2);

  const second = createSyntheticExecutor({ capacity });
  const replayed: number[] = [];
  const resume = createSweep({ store: createRunStore({ dir }), executor: second });
  resume.events.on('trial:replayed', (e) => replayed.push(e.record.index));
  const finished = await resume.run();
  assert.equal(finished.summary.complete, true);
  assert.deepEqual(replayed, [0, 1]);
  const all = (await createRunStore({ dir }).read()).records;
  const keys = all.map((r) => `${configKey(r.config)}#${r.attempt}`);
  assert.equal(new Set(keys).size, keys.length, 'no trial ran twice');
  assert.deepEqual(all.map((r) => r.index), all.map((_, i) => i));
  // same answer as an uninterrupted sweep
  const straightDir = await tempDir(t);
  const straight = await createSweep({ store: createRunStore({ dir: straightDir }), meta: meta(), executor: createSyntheticExecutor({ capacity }) }).run();
  assert.deepEqual(finished.summary.per_replicas.map((r) => r.best?.config ?? null), straight.summary.per_replicas.map((r) => r.best?.config ?? null));
  assert.equal(all.length, straight.summary.counts.trials);
});

test('progress events count trials done and give an ETA that shrinks to zero', async (t) => {
  const dir = await tempDir(t);
  const sweep = createSweep({ store: createRunStore({ dir }), meta: meta(), executor: createSyntheticExecutor({ capacity }) });
  const ends: { done: number; left: number; eta: number | null }[] = [];
  sweep.events.on('trial:end', (e) => ends.push({ done: e.progress.trials_done, left: e.progress.trials_left, eta: e.progress.eta_s }));
  await sweep.run();
  assert.deepEqual(ends.map((e) => e.done), ends.map((_, i) => i + 1));
  assert.equal(ends.at(-1)?.left, 0);
  assert.equal(ends.at(-1)?.eta, 0);
});

test('a generator that saturates below the target is reported as the machine limit, not as failures', async (t) => {
  const dir = await tempDir(t);
  const big = new Map([...capacity].map(([k]) => [k, 10_000]));
  const result = await createSweep({ store: createRunStore({ dir }), meta: meta(), executor: createSyntheticExecutor({ capacity: big, generatorLimit: 3000 }) }).run();
  assert.equal(result.summary.overall, null);
  assert.ok(result.summary.counts.invalid > 0);
  assert.match(result.summary.findings.machine, /invalid/);
  assert.ok(result.summary.configs.every((c) => c.status !== 'fail'), 'nothing is blamed on the API');
});

test('a listener that throws does not stop the sweep', async (t) => {
  const dir = await tempDir(t);
  const sweep = createSweep({ store: createRunStore({ dir }), meta: meta(), executor: createSyntheticExecutor({ capacity }) });
  sweep.events.on('trial:end', () => {
    throw new Error('consumer bug');
  });
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  t.after(() => process.off('warning', onWarning));
  const result = await sweep.run();
  assert.equal(result.summary.complete, true);
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(warnings.some((w) => w.includes('consumer bug')));
});

test('a run folder tells whether its recorded trials settle the search (report without running)', async (t) => {
  const dir = await tempDir(t);
  await createSweep({ store: createRunStore({ dir }), meta: meta(), executor: createSyntheticExecutor({ capacity }) }).run();
  const store = createRunStore({ dir });
  const { records } = await store.read();
  const m = await store.readMeta();
  assert.equal(await isSearchComplete(m, records), true);
  assert.equal(await isSearchComplete(m, records.slice(0, -1)), false);
});

test('a stack that never comes up stops the sweep after three trials in a row, keeping them', async (t) => {
  const dir = await tempDir(t);
  const executor = createSyntheticExecutor({ capacity });
  const broken: typeof executor = {
    ...executor,
    async run(spec, hooks, signal) {
      const record = await executor.run(spec, hooks, signal);
      return { ...record, outcome: { ...record.outcome, held_users: 0, upper_users: null, valid: false, end: 'invalid', steps: [], failed_step: { users: spec.steps[0]?.users ?? 0, reasons: [{ kind: 'infrastructure', detail: 'compose up failed: rlimit' }], machine_bound: false, limit_binding: null } } };
    },
  };
  await assert.rejects(createSweep({ store: createRunStore({ dir }), meta: meta(), executor: broken }).run(), (e: unknown) => {
    assert.ok(e instanceof Error && 'code' in e && e.code === 'SWEEP_ERR_STACK_UP');
    return true;
  });
  assert.equal((await createRunStore({ dir }).read()).records.length, 3);
  const summary = JSON.parse(await readFile(path.join(dir, 'summary.json'), 'utf8'));
  assert.match(summary.findings.minimum, /No trial was valid/);
});
