/**
 * The response contract of `POST /predict` for one row, checked on a sample of requests.
 * Deliberately structural (a label among the model's classes, probabilities in [0, 1] that sum
 * to 1) rather than a value comparison: parity with scikit-learn is the API's own test; here
 * we only catch a server that answers 200 with the wrong thing under load.
 */
export function isPrediction(body: unknown): boolean {
  if (typeof body !== 'string') return false;
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return false;
  }
  if (doc === null || typeof doc !== 'object') return false;
  const { label, probabilities } = doc as { label?: unknown; probabilities?: unknown };
  if (typeof label !== 'string' || label === '') return false;
  if (probabilities === null || typeof probabilities !== 'object') return false;
  const values = Object.values(probabilities as Record<string, unknown>);
  if (values.length === 0 || !values.every((p) => typeof p === 'number' && p >= 0 && p <= 1)) return false;
  const sum = (values as number[]).reduce((a, b) => a + b, 0);
  return Math.abs(sum - 1) < 1e-3 && label in (probabilities as Record<string, unknown>);
}
