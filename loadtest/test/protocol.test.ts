/** Each protocol's request body, route and response contract (k6/lib/protocol.ts, k6/lib/contract.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contractCheck, isMlflowPrediction, isRecordPrediction } from '../k6/lib/contract.js';
import { DEFAULT_PATHS, PROTOCOLS, pathConflict, requestBody, type Protocol } from '../k6/lib/protocol.js';

const row = { 'mean radius': 17.99, 'mean texture': 10.38 };

/** One answer per protocol, as each server gives it for one row. */
const ANSWERS: Record<Protocol, string> = {
  rightsize: '{"label":"malignant","probabilities":{"benign":0.0006301999092102051,"malignant":0.9993698000907898},"model":{"name":"m","version":"1"}}',
  mlflow: '{"predictions": [{"label": "malignant", "probability_benign": 0.0006301999092102051, "probability_malignant": 0.9993698000907898}]}',
  fastapi: '{"label":"malignant","probability_benign":0.0006301999092102051,"probability_malignant":0.9993698000907898}',
};

test('rightsize and fastapi post the bare row to /predict; mlflow wraps it for /invocations', () => {
  assert.deepEqual(DEFAULT_PATHS, { rightsize: '/predict', mlflow: '/invocations', fastapi: '/predict' });
  assert.deepEqual(JSON.parse(requestBody('rightsize', row)), row);
  assert.deepEqual(JSON.parse(requestBody('fastapi', row)), row);
  assert.deepEqual(JSON.parse(requestBody('mlflow', row)), { dataframe_records: [row] });
});

test("a protocol's own route is never a conflict, even when another protocol shares it; another's route is", () => {
  for (const p of PROTOCOLS) assert.equal(pathConflict(p, DEFAULT_PATHS[p]), null, p);
  assert.equal(pathConflict('fastapi', '/m/predict'), null);
  assert.match(pathConflict('fastapi', '/invocations') ?? '', /^\/invocations is the mlflow protocol's route; with protocol fastapi use \/predict/);
  assert.match(pathConflict('mlflow', '/predict') ?? '', /^\/predict is the rightsize protocol's route; with protocol mlflow use \/invocations/);
  assert.match(pathConflict('rightsize', '/invocations') ?? '', /mlflow protocol's route/);
});

test("each protocol's contract check accepts its own server's answer and no other protocol's", () => {
  for (const p of PROTOCOLS) {
    for (const q of PROTOCOLS) assert.equal(contractCheck(p)(ANSWERS[q]), p === q, `${p} check on a ${q} answer`);
  }
});

test('the flat record check is structural: a label among the classes, probabilities in [0, 1] summing to 1', () => {
  assert.equal(isRecordPrediction('{"label":"benign","probability_benign":1,"probability_malignant":0}'), true);
  assert.equal(isRecordPrediction('{"label":"other","probability_benign":0.5,"probability_malignant":0.5}'), false);
  assert.equal(isRecordPrediction('{"label":"benign","probability_benign":0.7,"probability_malignant":0.7}'), false);
  assert.equal(isRecordPrediction('{"label":"benign","probability_benign":"1","probability_malignant":0}'), false);
  assert.equal(isRecordPrediction('{"label":"benign"}'), false);
  assert.equal(isRecordPrediction('{"detail":[{"type":"missing","loc":["body","mean radius"]}]}'), false);
  assert.equal(isRecordPrediction('[]'), false);
  assert.equal(isRecordPrediction('not json'), false);
  assert.equal(isRecordPrediction(undefined), false);
  // MLflow's envelope holds exactly that record, once
  assert.equal(isMlflowPrediction(`{"predictions":[${ANSWERS.fastapi}]}`), true);
  assert.equal(isMlflowPrediction(`{"predictions":[${ANSWERS.fastapi},${ANSWERS.fastapi}]}`), false);
});
