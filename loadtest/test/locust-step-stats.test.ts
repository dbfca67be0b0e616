/**
 * The Locust side's pure Python (plan, per-step histograms, contract check) against the
 * TypeScript it must agree with. Runs the system python3; step_plan/step_stats need no packages.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { buildSchedule } from '../k6/lib/schedule.js';
import { contractCheck, isPrediction } from '../k6/lib/contract.js';
import { requestBody } from '../k6/lib/protocol.js';
import { LOCUST_DIR } from '../src/paths.js';

function python(code: string): unknown {
  const out = execFileSync('python3', ['-c', `import json, sys\nsys.path.insert(0, ${JSON.stringify(LOCUST_DIR)})\n${code}`], { encoding: 'utf8' });
  return JSON.parse(out);
}

test('the Python plan equals the TypeScript plan', () => {
  for (const [start, max, step, ramp, hold] of [
    [500, 10_000, 500, 10, 60],
    [10, 25, 10, 1, 3],
    [7, 7, 1, 0, 5],
  ] as const) {
    const ts = buildSchedule({ scenario: 'steps', startUsers: start, maxUsers: max, stepUsers: step, rates: [], rampS: ramp, holdS: hold, thinkMinS: 1, thinkMaxS: 2.5 }).steps;
    const py = python(`from step_plan import build_steps\nprint(json.dumps([s.to_plan_dict() for s in build_steps(${start}, ${max}, ${step}, ${ramp}, ${hold})]))`);
    assert.deepEqual(py, ts);
  }
});

test('per-step histograms give nearest-rank percentiles within their 3-digit buckets', () => {
  const values = Array.from({ length: 1000 }, (_, i) => 0.5 + ((i * 7919) % 1000) * 0.237);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
  const py = python(`from step_stats import Histogram\nh = Histogram()\nfor v in ${JSON.stringify(values)}: h.add(v)\nprint(json.dumps(h.summary()))`) as Record<string, number>;
  for (const [key, p] of [['p50', 50], ['p90', 90], ['p95', 95], ['p99', 99]] as const) {
    assert.ok(Math.abs(py[key]! - rank(p)) <= rank(p) * 0.005 + 0.005, `${key}: ${py[key]} vs ${rank(p)}`);
  }
  assert.equal(py.count, 1000);
  assert.equal(py.max, sorted.at(-1));
});

test('worker deltas merged on the master equal one collector seeing everything', () => {
  const py = python(`
from step_stats import Collector
samples = [(i % 3, 1 + (i * 37) % 50, [200, 200, 404, 503, 0][i % 5], None if i % 5 != 4 else ConnectionRefusedError(), i % 2 == 0) for i in range(300)]
whole, a, b, master = Collector(), Collector(), Collector(), Collector()
for i, s in enumerate(samples):
    whole.record(*s)
    (a if i % 2 else b).record(*s)
    if i == 150:
        master.merge(json.loads(json.dumps(a.drain())))
master.merge(json.loads(json.dumps(a.drain())))
master.merge(json.loads(json.dumps(b.drain())))
print(json.dumps([whole.drain(), master.drain()]))`) as [Record<string, unknown>, Record<string, unknown>];
  assert.deepEqual(py[1], py[0]);
});

test('failures are classed like k6: 4xx, 5xx, timeouts, connection errors', () => {
  const py = python(`
from step_stats import classify
import socket
print(json.dumps([classify(200, None), classify(302, None), classify(404, None), classify(503, None), classify(0, TimeoutError()), classify(0, socket.timeout()), classify(0, ConnectionResetError())]))`);
  assert.deepEqual(py, [null, null, 'http4xx', 'http5xx', 'timeouts', 'timeouts', 'connection']);
});

test('the Locust contract check agrees with the k6 one', () => {
  const bodies = [
    '{"label":"malignant","probabilities":{"benign":0.0006301999092102051,"malignant":0.9993698000907898},"model":{"name":"m","version":"1"}}',
    '{"label":"other","probabilities":{"benign":0.5,"malignant":0.5}}',
    '{"label":"benign","probabilities":{"benign":0.7,"malignant":0.7}}',
    '{"predictions":[{"label":"benign"}]}',
    'not json',
    '[]',
  ];
  const py = python(`from step_stats import is_prediction\nprint(json.dumps([is_prediction(b) for b in ${JSON.stringify(bodies)}]))`);
  assert.deepEqual(py, bodies.map(isPrediction));
  assert.deepEqual(py, [true, false, false, false, false, false]);
});

test('the Locust MLflow contract check agrees with the k6 one', () => {
  const bodies = [
    '{"predictions": [{"label": "malignant", "probability_benign": 0.0006301999092102051, "probability_malignant": 0.9993698000907898}]}',
    '{"predictions": [{"label": "benign", "probability_benign": 0.6, "probability_malignant": 0.6}]}',
    '{"predictions": [{"label": "other", "probability_benign": 0.5, "probability_malignant": 0.5}]}',
    '{"predictions": [{"label": "benign", "probability_benign": 1, "probability_malignant": 0}, {"label": "benign", "probability_benign": 1, "probability_malignant": 0}]}',
    '{"predictions": []}',
    '{"label":"malignant","probabilities":{"benign":0.0006,"malignant":0.9994}}',
    '{"error_code": "BAD_REQUEST", "message": "..."}',
  ];
  const py = python(`from step_stats import contract_check\nprint(json.dumps([contract_check("mlflow")(b) for b in ${JSON.stringify(bodies)}]))`);
  assert.deepEqual(py, bodies.map(contractCheck('mlflow')));
  assert.deepEqual(py, [true, false, false, false, false, false, false]);
});

test('the Locust fastapi contract check agrees with the k6 one', () => {
  const bodies = [
    '{"label":"malignant","probability_benign":0.0006301999092102051,"probability_malignant":0.9993698000907898}',
    '{"label":"benign","probability_benign":0.6,"probability_malignant":0.6}',
    '{"label":"other","probability_benign":0.5,"probability_malignant":0.5}',
    '{"label":"benign","probability_benign":true,"probability_malignant":0}',
    '{"predictions": [{"label": "benign", "probability_benign": 1, "probability_malignant": 0}]}',
    '{"label":"malignant","probabilities":{"benign":0.0006,"malignant":0.9994}}',
    '{"detail":[{"type":"missing","loc":["body","mean radius"],"msg":"Field required"}]}',
    'not json',
  ];
  const py = python(`from step_stats import contract_check\nprint(json.dumps([contract_check("fastapi")(b) for b in ${JSON.stringify(bodies)}]))`);
  assert.deepEqual(py, bodies.map(contractCheck('fastapi')));
  assert.deepEqual(py, [true, false, false, false, false, false, false, false]);
});

test('Locust reads the protocol like k6: bodies wrapped once, route from the protocol, conflicts refused', () => {
  const row = { 'mean radius': 17.99, 'mean texture': 10.38 };
  const py = python(`
from step_plan import read_config, request_body
row = ${JSON.stringify(row)}
out = {p: request_body(p, row).decode() for p in ("mlflow", "rightsize", "fastapi")}
out["paths"] = [read_config({}, "p.json").path, read_config({"RS_PROTOCOL": "mlflow"}, "p.json").path, read_config({"RS_PROTOCOL": "mlflow", "RS_PATH": "/m/invocations"}, "p.json").path,
                read_config({"RS_PROTOCOL": "fastapi"}, "p.json").path, read_config({"RS_PROTOCOL": "fastapi", "RS_PATH": "/predict"}, "p.json").path]
def conflict(env):
    try:
        read_config(env, "p.json"); return None
    except SystemExit as e:
        return str(e)
out["conflict"] = conflict({"RS_PROTOCOL": "mlflow", "RS_PATH": "/predict"})
out["fastapi_conflict"] = conflict({"RS_PROTOCOL": "fastapi", "RS_PATH": "/invocations"})
print(json.dumps(out))`) as { mlflow: string; rightsize: string; fastapi: string; paths: string[]; conflict: string | null; fastapi_conflict: string | null };
  for (const p of ['mlflow', 'rightsize', 'fastapi'] as const) assert.deepEqual(JSON.parse(py[p]), JSON.parse(requestBody(p, row)), p);
  assert.deepEqual(py.paths, ['/predict', '/invocations', '/m/invocations', '/predict', '/predict']);
  assert.match(py.conflict ?? '', /RS_PATH=\/predict: .*rightsize protocol's route/);
  assert.match(py.fastapi_conflict ?? '', /RS_PATH=\/invocations: .*mlflow protocol's route; with protocol fastapi use \/predict/);
});
