import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRunStore, RESULTS_FILE } from '../../src/results/run-store.js';
import { SweepError } from '../../src/errors.js';
import type { RunMeta } from '../../src/results/trial-record.js';
import { makeRecord } from '../support/fixtures.js';

async function tempStore(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = await mkdtemp(path.join(tmpdir(), 'rs-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return createRunStore({ dir });
}

const record = (index: number) => makeRecord({ index, config: { replicas: 1, cpus: 0.5, memory_mib: 256 }, steps: [{ users: 500 }, { users: 1000, p95: 400 }] });

test('appended trials read back equal, one JSON line each', async (t) => {
  const store = await tempStore(t);
  await store.append(record(0));
  await store.append(record(1));
  const { records, warnings } = await store.read();
  assert.deepEqual(records, [record(0), record(1)]);
  assert.deepEqual(warnings, []);
  const text = await readFile(store.resolve(RESULTS_FILE), 'utf8');
  assert.equal(text.split('\n').length, 3);
});

test('a missing results file reads as no trials yet', async (t) => {
  const store = await tempStore(t);
  assert.deepEqual(await store.read(), { records: [], warnings: [] });
});

test('a torn last line (crash mid-write) is skipped with a warning, then cut off before appending', async (t) => {
  const store = await tempStore(t);
  await store.append(record(0));
  await appendFile(store.resolve(RESULTS_FILE), JSON.stringify(record(1)).slice(0, 80));
  const first = await store.read();
  assert.equal(first.records.length, 1);
  assert.match(first.warnings[0] ?? '', /torn last line/);
  assert.equal(await store.repairTornTail(), true);
  await store.append(record(1));
  const second = await store.read();
  assert.deepEqual(second.records.map((r) => r.index), [0, 1]);
  assert.deepEqual(second.warnings, []);
  assert.match(await readFile(store.resolve(`${RESULTS_FILE}.torn`), 'utf8'), /rightsize.sweep-trial/);
  assert.equal(await store.repairTornTail(), false);
});

test('a bad line in the middle is SWEEP_ERR_RESULTS_INVALID naming the line and the key', async (t) => {
  const store = await tempStore(t);
  const bad = { ...record(1), config: { replicas: 0, cpus: 1, memory_mib: 256 } };
  await writeFile(store.resolve(RESULTS_FILE), `${JSON.stringify(record(0))}\n${JSON.stringify(bad)}\n`);
  await assert.rejects(store.read(), (e: unknown) => {
    assert.ok(e instanceof SweepError);
    assert.equal(e.code, 'SWEEP_ERR_RESULTS_INVALID');
    assert.equal(e.key, 'line 2: config.replicas');
    return true;
  });
});

test('a run folder without run.json is SWEEP_ERR_RUN_NOT_FOUND with a hint', async (t) => {
  const store = await tempStore(t);
  await assert.rejects(store.readMeta(), (e: unknown) => e instanceof SweepError && e.code === 'SWEEP_ERR_RUN_NOT_FOUND' && (e.hint ?? '').includes('reports'));
});

test('files written into the run folder replace the old content whole', async (t) => {
  const store = await tempStore(t);
  await store.writeFile('summary.json', 'one');
  const file = await store.writeFile('summary.json', 'two');
  assert.equal(await readFile(file, 'utf8'), 'two');
});

test('a run.json from before a search key existed reads with that key off: the search it really ran', async (t) => {
  const { SweepPlanSchema } = await import('../../src/plan/plan-schema.js');
  const { RUN_SCHEMA_ID } = await import('../../src/results/trial-record.js');
  const store = await tempStore(t);
  const plan = SweepPlanSchema.parse({});
  const meta: RunMeta = { schema: RUN_SCHEMA_ID, run_id: 'old', created_at: '2026-12-06T20:00:00.000Z', plan_source: 'default', plan, machine: { hostname: 'h', cores: 2, mem_mib: 1, node: 'v20', docker: null, compose: null, loadavg_1m: 0 }, git_commit: null };
  await store.writeMeta(meta);
  assert.equal((await store.readMeta()).plan.search.confirm_boundary, true, 'a run that recorded the key keeps it');
  const { confirm_boundary: _c, rerun_first_step_failure: _r, ...olderSearch } = plan.search;
  await writeFile(store.resolve('run.json'), JSON.stringify({ ...meta, plan: { ...plan, search: olderSearch } }));
  const read = await store.readMeta();
  assert.equal(read.plan.search.confirm_boundary, false);
  assert.equal(read.plan.search.rerun_first_step_failure, false);
  assert.equal(read.plan.search.start_above_held, true);
});
