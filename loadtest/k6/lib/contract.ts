/**
 * The response contract for one row, checked on a sample of requests, per protocol:
 * - `rightsize` (`POST /predict`): `{label, probabilities: {class: p}}`;
 * - `mlflow` (`POST /invocations`): `{"predictions": [{label, probability_<class>: p, ...}]}`,
 *   one record per row sent (what `mlflow models serve` answers for this model's ONNX outputs).
 * - `fastapi` (`POST /predict` of rightsize-fastapi): that record alone, unwrapped.
 * Deliberately structural (a label among the model's classes, probabilities in [0, 1] that sum
 * to 1) rather than a value comparison: parity with scikit-learn is the API's own test; here
 * we only catch a server that answers 200 with the wrong thing under load.
 */
import type { Protocol } from './protocol.ts';

export function isPrediction(body: unknown): boolean {
  const doc = parseObject(body);
  if (doc === null) return false;
  const { label, probabilities } = doc as { label?: unknown; probabilities?: unknown };
  if (probabilities === null || typeof probabilities !== 'object' || Array.isArray(probabilities)) return false;
  return isLabelled(label, probabilities as Record<string, unknown>);
}

/** One flat record, `{label, probability_<class>: p, ...}` (the fastapi protocol's answer). */
export function isRecordPrediction(body: unknown): boolean {
  const doc = parseObject(body);
  return doc !== null && isLabelledRecord(doc);
}

/** MLflow's envelope around exactly one record (the load sends one row per request). */
export function isMlflowPrediction(body: unknown): boolean {
  const doc = parseObject(body);
  if (doc === null) return false;
  const { predictions } = doc as { predictions?: unknown };
  if (!Array.isArray(predictions) || predictions.length !== 1) return false;
  const record = predictions[0] as unknown;
  return record !== null && typeof record === 'object' && !Array.isArray(record) && isLabelledRecord(record);
}

const CHECKS: Readonly<Record<Protocol, (body: unknown) => boolean>> = Object.freeze({
  rightsize: isPrediction,
  mlflow: isMlflowPrediction,
  fastapi: isRecordPrediction,
});

export function contractCheck(protocol: Protocol): (body: unknown) => boolean {
  return CHECKS[protocol];
}

/** the per-class output columns of the model's ONNX graph, as MLflow names them */
const PROBABILITY_PREFIX = 'probability_';

function parseObject(body: unknown): object | null {
  if (typeof body !== 'string') return null;
  try {
    const doc: unknown = JSON.parse(body);
    return doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? doc : null;
  } catch {
    return null;
  }
}

function isLabelledRecord(record: object): boolean {
  const probabilities: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record as Record<string, unknown>)) {
    if (key.startsWith(PROBABILITY_PREFIX)) probabilities[key.slice(PROBABILITY_PREFIX.length)] = value;
  }
  return isLabelled((record as { label?: unknown }).label, probabilities);
}

function isLabelled(label: unknown, probabilities: Record<string, unknown>): boolean {
  if (typeof label !== 'string' || label === '') return false;
  const values = Object.values(probabilities);
  if (values.length === 0 || !values.every((p) => typeof p === 'number' && p >= 0 && p <= 1)) return false;
  const sum = (values as number[]).reduce((a, b) => a + b, 0);
  return Math.abs(sum - 1) < 1e-3 && label in probabilities;
}
