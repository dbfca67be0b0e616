/**
 * The request protocols a load can speak, as data both sides share (dependency-free: the k6
 * scripts, the Node runner, Locust's tests and the sweep import it):
 * - `rightsize`: our `POST /predict` with one row of named features;
 * - `mlflow`: MLflow's scoring protocol, `POST /invocations` with `{"dataframe_records": [row]}`
 *   (what `mlflow models serve` takes; our API answers it too);
 * - `fastapi`: the workshop FastAPI server (rightsize-fastapi), `POST /predict` with the same bare
 *   row as `rightsize`; only the answer differs (a flat `{label, probability_<class>: p}` record).
 */
export const PROTOCOLS = ['rightsize', 'mlflow', 'fastapi'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export function isProtocol(value: unknown): value is Protocol {
  return (PROTOCOLS as readonly unknown[]).includes(value);
}

/** The route each protocol posts to unless a path is given. */
export const DEFAULT_PATHS: Readonly<Record<Protocol, string>> = Object.freeze({ rightsize: '/predict', mlflow: '/invocations', fastapi: '/predict' });

/** The request body for one row, serialized (callers build bodies once, not per request). */
export function requestBody(protocol: Protocol, row: Record<string, unknown>): string {
  return JSON.stringify(protocol === 'mlflow' ? { dataframe_records: [row] } : row);
}

/**
 * A path that is another protocol's route and not this one's own is a mistake (bare rows to
 * /invocations, or MLflow's envelope to /predict: 400s that look like a failing server); returns
 * why, or null. `rightsize` and `fastapi` share `/predict` (same body), so neither flags it.
 */
export function pathConflict(protocol: Protocol, path: string): string | null {
  if (path === DEFAULT_PATHS[protocol]) return null;
  for (const other of PROTOCOLS) {
    if (other !== protocol && path === DEFAULT_PATHS[other]) {
      return `${path} is the ${other} protocol's route; with protocol ${protocol} use ${DEFAULT_PATHS[protocol]} (or pass protocol ${other})`;
    }
  }
  return null;
}
