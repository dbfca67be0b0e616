import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderHtml } from '../../src/report/report-html.js';
import { renderMarkdown } from '../../src/report/report-md.js';
import { renderComparisonHtml, renderComparisonMarkdown } from '../../src/report/compare.js';
import { buildCompareDoc, CompareDocSchema } from '../../src/summary/compare-doc.js';
import { renderLineChart } from '../../src/report/svg/line-chart.js';
import { niceTicks } from '../../src/report/svg/svg-util.js';
import { deriveSummary } from '../../src/summary/derive-summary.js';
import { SweepPlanSchema } from '../../src/plan/plan-schema.js';
import { RUN_SCHEMA_ID, type RunMeta } from '../../src/results/trial-record.js';
import { makeRecord } from '../support/fixtures.js';

const plan = SweepPlanSchema.parse({ load: { users: { from: 500, to: 2000, step: 500 } }, candidates: { replicas: [1], cpus: [0.5, 1], memory: [256] } });
const meta = (run_id: string, image = 'rightsize-api:latest'): RunMeta => ({
  schema: RUN_SCHEMA_ID,
  run_id,
  created_at: '2025-01-01T00:00:00.000Z',
  plan_source: 'test',
  plan: { ...plan, target: { ...plan.target, image } },
  machine: { hostname: 'h', cores: 2, mem_mib: 24000, node: 'v20', docker: '20.10', compose: 'v1', loadavg_1m: 0.2 },
  git_commit: null,
});
const records = [
  makeRecord({ index: 0, plan, config: { replicas: 1, cpus: 0.5, memory_mib: 256 }, steps: [{ users: 500 }, { users: 1000, p95: 400 }] }),
  makeRecord({ index: 1, plan, config: { replicas: 1, cpus: 1, memory_mib: 256 }, steps: [{ users: 1500 }, { users: 2000 }], startUsers: 1500, knownHeld: 500 }),
];
const summary = deriveSummary({ meta: meta('ours'), records, complete: true, now: new Date('2025-01-01T00:10:00Z') });

test('report.md carries the method line, the answers, the map and the trials', () => {
  const md = renderMarkdown(summary);
  assert.match(md, /^# Resource sweep ours/);
  assert.match(md, /_Method: pacer, open model \(each step offers the rate its users would: users \/ 1\.75 s mean think time\)/);
  assert.match(md, /\*\*The minimum for 2,000 users\.\*\* The smallest configuration that held 2,000 users/);
  assert.match(md, /\| 256m \| fail \| \*\*pass\*\* \|/);
  assert.match(md, /\| 0 \| 1 x \(0.5 CPU, 256m\) \| 1 \| - \| 500 \| 500 \| 1,000 \| p95 400 ms > 200 ms/);
  assert.match(md, /## Boundary confirmation\n\n/);
});

test('report.html is one self-contained page: inline SVG charts, no scripts, no remote references', () => {
  const html = renderHtml(summary);
  assert.ok(html.startsWith('<!doctype html>'));
  assert.equal((html.match(/<svg /g) ?? []).length, 7, 'map legend, one map, held bars, latency, throughput, cpu, memory');
  assert.doesNotMatch(html, /<script|<link|src="http|href="http/);
  assert.match(html, /objective 200 ms/);
});

test('text from the data is escaped in HTML and SVG', () => {
  const evil = deriveSummary({ meta: meta('<img src=x>'), records, complete: true, now: new Date() });
  const html = renderHtml(evil);
  assert.doesNotMatch(html, /<img src=x>/);
  assert.match(html, /&lt;img src=x&gt;/);
  const svg = renderLineChart({ title: '<b>', xLabel: 'x', yLabel: 'y', series: [{ name: '"&', points: [{ x: 1, y: 1 }] }] });
  assert.doesNotMatch(svg, /<b>/);
  assert.match(svg, /&lt;b&gt;/);
  assert.match(svg, />&quot;&amp;<\/text>/);
});

test('sweeps side by side: the minimum per target, its CPU and memory against ours, loads held at equal limits', () => {
  const theirs = deriveSummary({
    meta: meta('theirs', 'rightsize-mlflow-serve:latest'),
    records: [makeRecord({ index: 0, plan, config: { replicas: 1, cpus: 1, memory_mib: 256 }, steps: [{ users: 500 }, { users: 1000, p95: 900 }] })],
    complete: true,
    now: new Date(),
  });
  const doc = buildCompareDoc({ id: 'cmp', entries: [{ name: 'rightsize', summary, reused: false }, { name: 'mlflow-serve', summary: theirs, reused: true }], reference: 'rightsize', now: new Date(0) });
  CompareDocSchema.parse(JSON.parse(JSON.stringify(doc)));
  assert.equal(doc.reference, 'rightsize');
  assert.equal(doc.same_load_and_objective, true);
  const [ours, mlflow] = doc.targets;
  assert.deepEqual(ours?.minimum?.config, { replicas: 1, cpus: 1, memory_mib: 256 });
  assert.equal(ours?.versus_reference, null);
  assert.equal(mlflow?.minimum, null);
  assert.deepEqual(mlflow?.most_held, { config: { replicas: 1, cpus: 1, memory_mib: 256 }, users: 500 });
  // its largest configuration (1 CPU) failed: it needs more than 1x our 1 CPU; memory has no bound
  assert.deepEqual(mlflow?.versus_reference?.cpu, { kind: 'more_than', value: 1 });
  assert.deepEqual(mlflow?.versus_reference?.memory, { kind: 'unknown', value: null });
  const row = doc.equal_limits.find((r) => r.replicas === 1 && r.cpus === 1);
  assert.deepEqual(row?.held['rightsize'], { users: 2000, status: 'pass', measured: true, memory_mib: 256 });
  assert.deepEqual(row?.held['mlflow-serve'], { users: 500, status: 'fail', measured: true, memory_mib: 256 });
  assert.match(doc.findings.join('\n'), /mlflow-serve against rightsize: its minimum needs more than 1x the CPU/);
  const summaries = new Map([['rightsize', summary], ['mlflow-serve', theirs]]);
  const md = renderComparisonMarkdown(doc, summaries);
  assert.match(md, /# rightsize vs mlflow-serve: 2,000 users/);
  assert.match(md, /\| 1 x 1 CPU \| 2,000\+ at 256m \| 500 at 256m \|/);
  assert.match(md, /\| mlflow-serve \| rightsize-mlflow-serve:latest \| none in its grid \|/);
  const html = renderComparisonHtml(doc, summaries);
  assert.equal((html.match(/<svg /g) ?? []).length, 3, 'CPU per request, loads at equal limits, p95 against users');
  assert.doesNotMatch(html, /<script/);
});

test('a comparison of runs with another load says it is not like for like', () => {
  const other = SweepPlanSchema.parse({ ...plan, load: { users: { from: 500, to: 1500, step: 500 } } });
  const theirs = deriveSummary({
    meta: { ...meta('theirs'), plan: other },
    records: [makeRecord({ index: 0, plan: other, config: { replicas: 1, cpus: 0.5, memory_mib: 256 }, steps: [{ users: 500 }, { users: 1000 }, { users: 1500 }] })],
    complete: true,
    now: new Date(),
  });
  const doc = buildCompareDoc({ id: 'cmp', entries: [{ name: 'a', summary, reused: true }, { name: 'b', summary: theirs, reused: true }] });
  assert.equal(doc.same_load_and_objective, false);
  assert.match(doc.differences.join(), /b \(theirs\) ran another load than a \(ours\)/);
  assert.match(doc.findings.at(-1) ?? '', /^Not like for like/);
});

test('axis ticks are round numbers covering the data', () => {
  assert.deepEqual(niceTicks(0, 10_000, 5), [0, 2000, 4000, 6000, 8000, 10000]);
  assert.deepEqual(niceTicks(0, 0.9, 4), [0, 0.25, 0.5, 0.75, 1]);
});
