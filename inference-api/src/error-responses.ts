// The error answers an operation declares in the OpenAPI document, from the one catalog and the
// one body schema per dialect, so that what /docs/json lists is what the error handler sends.
// Every operation can answer 500 (a bug) and 503 (shutting down); the rest depend on the route.
import { z } from 'zod';
import { ERRORS, ErrorBodySchema, MlflowErrorBodySchema } from './errors.js';

export type ErrorStatus = 400 | 404 | 413 | 415 | 500 | 503;

/** The statuses any operation can answer: a bug, or a request that arrived while shutting down. */
export const ALWAYS: readonly ErrorStatus[] = [500, 503];
/** A JSON body: malformed or invalid (400), too large (413), not JSON (415). */
export const WITH_BODY: readonly ErrorStatus[] = [400, 413, 415];

function describe(status: ErrorStatus): string {
  const codes = Object.entries(ERRORS)
    .filter(([, e]) => e.status === status)
    .map(([code]) => code);
  return `${codes.join(', ')}${status === 503 ? ' (with Retry-After when overloaded)' : ''}`;
}

/** `{400: {description, content: {'application/json': {schema: Error}}}, ...}` for a route's schema.response. */
export function errorResponses(statuses: readonly ErrorStatus[]) {
  return Object.fromEntries(
    [...new Set([...statuses, ...ALWAYS])].map((s) => [s, { description: describe(s), content: { 'application/json': { schema: ErrorBodySchema } } }]),
  );
}

/** The same for /invocations, which answers in MLflow's shape (and 415 in plain text, as MLflow does). */
export function mlflowErrorResponses(statuses: readonly ErrorStatus[]) {
  return Object.fromEntries(
    [...new Set([...statuses, ...ALWAYS])].map((s) => [
      s,
      s === 415
        ? { description: 'an unsupported Content-Type or charset (plain text, as MLflow answers)', content: { 'text/plain': { schema: z.string() } } }
        : { description: `error_code ${s === 503 ? 'TEMPORARILY_UNAVAILABLE' : s === 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST or INVALID_PARAMETER_VALUE'}`, content: { 'application/json': { schema: MlflowErrorBodySchema } } },
    ]),
  );
}
