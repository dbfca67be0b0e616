/**
 * `npm run sweep -- --compare rightsize,mlflow-serve` end to end on the real engine: the CLI
 * sweeps the ci-compare plan (two configurations) against our API and against `mlflow models
 * serve` on the same model, then writes compare.json, compare.md and compare.html. The data is
 * checked against the two runs it came from, and our API must cost less CPU per request than
 * MLflow's server (about 50x less on this machine; any margin passes here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireDocker } from '@rightsize/compose/testing';
import { CompareDocSchema } from '../../src/summary/compare-doc.js';
import { SummarySchema } from '../../src/summary/summary-schema.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PLAN = path.resolve(here, '../../plans/ci-compare.yaml');
const CLI = path.resolve(here, '../../src/cli.ts');
const IMAGES = ['rightsize-api:latest', 'rightsize-mlflow-serve:latest', 'haproxy:2.6', 'grafana/k6:1.8.1'];

test('--compare sweeps our API and mlflow models serve with one plan and compares them in compare.json', { timeout: 20 * 60_000 }, async (t) => {
  if (!(await requireDocker(t, { images: IMAGES }))) return;
  const reports = await mkdtemp(path.join(os.tmpdir(), 'rs-compare-'));
  t.after(() => rm(reports, { recursive: true, force: true }));
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--compare', 'rightsize,mlflow-serve', '--plan', PLAN, '--reports', reports, '--run-id', 'cmp'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  // a failed assertion or a timeout stops the CLI the way Ctrl-C does: it tears its trial down
  t.after(() => child.kill('SIGINT'));
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.diagnostic(output.split('\n').filter((l) => /^== |meets|against/.test(l)).join('\n'));
  assert.equal(code, 0, output.slice(-4000));

  const doc = CompareDocSchema.parse(JSON.parse(await readFile(path.join(reports, 'cmp', 'compare.json'), 'utf8')));
  assert.equal(doc.reference, 'rightsize');
  assert.deepEqual(doc.targets.map((x) => [x.name, x.image, x.protocol, x.run_id, x.reused]), [
    ['rightsize', 'rightsize-api:latest', 'rightsize', 'cmp-rightsize', false],
    ['mlflow-serve', 'rightsize-mlflow-serve:latest', 'mlflow', 'cmp-mlflow-serve', false],
  ]);
  assert.equal(doc.same_load_and_objective, true, doc.differences.join('; '));
  assert.equal(doc.target_users, 60);
  // the document says what the two runs' own summaries say
  for (const target of doc.targets) {
    const summary = SummarySchema.parse(JSON.parse(await readFile(path.join(reports, target.run_id, 'summary.json'), 'utf8')));
    assert.equal(summary.complete, true, `${target.name}'s sweep finished`);
    assert.equal(target.complete, true);
    assert.equal(target.trials, summary.counts.trials);
    assert.deepEqual(target.minimum?.config ?? null, summary.overall?.config ?? null);
    assert.deepEqual(target.candidates.memory, [384], 'both servers fit the plan\'s memory, so both swept the same grid');
    assert.ok(target.cpu_us_per_request && target.cpu_us_per_request.median > 0, `${target.name}: CPU per request measured`);
    for (const row of doc.equal_limits) {
      const e = summary.configs.find((c) => c.config.replicas === row.replicas && c.config.cpus === row.cpus);
      assert.equal(row.held[target.name]?.users, e?.held_users, `${target.name} at ${row.replicas} x ${row.cpus}`);
    }
  }
  assert.ok(doc.targets[0]?.minimum, `our API meets 60 users in 2 configurations: ${doc.findings.join(' ')}`);
  const versus = doc.targets[1]?.versus_reference;
  assert.ok(versus && versus.cpu_per_request !== null && versus.cpu_per_request > 1, `mlflow models serve spends more CPU per request than our API: ${doc.findings.join(' ')}`);
  assert.ok(['exact', 'more_than'].includes(versus.cpu.kind), `a CPU ratio or bound against ours: ${JSON.stringify(versus.cpu)}`);
  assert.equal(doc.equal_limits.length, 2, 'both limits measured');
  assert.match(doc.findings.join('\n'), /mlflow-serve against rightsize: its minimum needs/);

  const md = await readFile(path.join(reports, 'cmp', 'compare.md'), 'utf8');
  assert.match(md, /## Largest load held at equal limits/);
  const html = await readFile(path.join(reports, 'cmp', 'compare.html'), 'utf8');
  assert.equal((html.match(/<svg /g) ?? []).length, 3);
});
