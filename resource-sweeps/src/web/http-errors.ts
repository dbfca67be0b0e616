/**
 * The API's one error handler. Everything thrown becomes a SweepError from the one catalog
 * (src/errors.ts), answered as JSON with its code, the offending keys (a bad plan names
 * `plan.candidates.cpus[2]`, a bad ad-hoc load `user_count`), the details and what to do. A 500
 * says nothing about internals; those go to the log. `success: false` is there for Locust
 * scripts, which test that field.
 */
import { STATUS_CODES } from 'node:http';
import { issueEntries } from '@rightsize/compose/kit/issues';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isSweepError, SweepError, type SweepErrorCode } from '../errors.js';

export const ErrorBodySchema = z
  .object({
    success: z.literal(false),
    statusCode: z.number().int(),
    code: z.string().describe('SWEEP_ERR_* (stable; test against it, not the message)'),
    error: z.string(),
    message: z.string(),
    keys: z.array(z.string()).describe('the offending keys of the request, e.g. plan.candidates.cpus[2]'),
    details: z.array(z.string()),
    hint: z.string().optional(),
  })
  .strict();
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

const STATUS: Partial<Record<SweepErrorCode, number>> = {
  SWEEP_ERR_PLAN_INVALID: 400,
  SWEEP_ERR_PLAN_YAML: 400,
  SWEEP_ERR_PLAN_NOT_FOUND: 400,
  SWEEP_ERR_ARGS: 400,
  SWEEP_ERR_BAD_REQUEST: 400,
  SWEEP_ERR_TARGET_REFUSED: 400,
  SWEEP_ERR_UNAUTHORIZED: 401,
  SWEEP_ERR_FORBIDDEN: 403,
  SWEEP_ERR_RUN_NOT_FOUND: 404,
  SWEEP_ERR_NOT_FOUND: 404,
  SWEEP_ERR_METHOD_NOT_ALLOWED: 405,
  SWEEP_ERR_NO_BALANCER: 404,
  SWEEP_ERR_BUSY: 409,
  SWEEP_ERR_NOT_RUNNING: 409,
  SWEEP_ERR_RUN_MISMATCH: 409,
  SWEEP_ERR_RUN_CORRUPT: 409,
  SWEEP_ERR_RESULTS_INVALID: 409,
  SWEEP_ERR_DOCKER: 503,
  SWEEP_ERR_LOAD: 503,
  SWEEP_ERR_UNHEALTHY: 503,
};

export function statusOf(error: SweepError): number {
  // a missing image names `target.image`: the plan asked for something this machine lacks
  if (error.code === 'SWEEP_ERR_STACK_UP') return error.key ? 400 : 503;
  return STATUS[error.code] ?? 500;
}

/** Keys from a plan error's details (`candidates.cpus[2]: must be ...`), prefixed with where the plan sits in the body. */
export function planErrorKeys(error: SweepError, prefix: string): string[] {
  const keys = error.details.map((d) => /^(.*?)(?: \(line \d+\))?: /.exec(d)?.[1]).filter((k): k is string => Boolean(k));
  const all = keys.length ? keys : error.key ? [error.key] : [];
  return [...new Set(all.map((k) => (k === '(top level)' ? prefix.replace(/\.$/, '') || k : `${prefix}${k}`)))];
}

export function errorBody(error: SweepError, keys: readonly string[] = error.key ? [error.key] : []): ErrorBody {
  const statusCode = statusOf(error);
  return {
    success: false,
    statusCode,
    code: error.code,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message: statusCode >= 500 && error.code === 'SWEEP_ERR_INTERNAL' ? 'internal error; see the server log' : error.message,
    keys: [...keys],
    details: [...error.details],
    ...(error.hint ? { hint: error.hint } : {}),
  };
}

/** An error carrying the request keys it is about (plan problems prefixed with `plan.`). */
export class RequestError extends SweepError {
  readonly keys: string[];
  constructor(error: SweepError, keys: string[]) {
    super(error.code, error.message, { ...(error.file ? { file: error.file } : {}), ...(keys[0] ? { key: keys[0] } : {}), ...(error.hint ? { hint: error.hint } : {}), details: error.details, cause: error.cause });
    this.keys = keys;
  }
}

/** zod issues of a request part (body, querystring) -> one SWEEP_ERR_BAD_REQUEST naming every key. */
export function requestValidationError(issues: readonly z.core.$ZodIssue[], part: string): RequestError {
  const entries = issueEntries(issues, { root: part, unknownKey: 'unknown key' });
  const details = entries.map((e) => `${e.key}: ${e.message}`);
  return new RequestError(new SweepError('SWEEP_ERR_BAD_REQUEST', `${entries.length} problem${entries.length === 1 ? '' : 's'} in the request ${part}: ${details.slice(0, 3).join('; ')}`, { details }), [...new Set(entries.map((e) => e.key))]);
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    let error: SweepError;
    let keys: string[] | undefined;
    if (err instanceof RequestError) {
      error = err;
      keys = err.keys;
    } else if (isSweepError(err)) {
      error = err;
    } else {
      const e = err as { code?: string; statusCode?: number; message?: string; validation?: unknown };
      if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        error = new SweepError('SWEEP_ERR_BAD_REQUEST', `unsupported content type ${request.headers['content-type'] ?? '(none)'}`, { hint: 'send application/json (or application/x-www-form-urlencoded to /swarm)' });
        return reply.code(415).send({ ...errorBody(error, []), statusCode: 415, error: STATUS_CODES[415] });
      }
      if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
        error = new SweepError('SWEEP_ERR_BAD_REQUEST', e.message ?? 'bad request', { hint: 'see GET /docs/json for the request schemas' });
        return reply.code(e.statusCode).send({ ...errorBody(error, []), statusCode: e.statusCode, error: STATUS_CODES[e.statusCode] ?? 'Error' });
      }
      request.log.error({ err }, 'request failed');
      error = new SweepError('SWEEP_ERR_INTERNAL', 'internal error');
    }
    const body = errorBody(error, keys);
    if (error.code === 'SWEEP_ERR_UNAUTHORIZED') reply.header('www-authenticate', 'Bearer');
    return reply.code(body.statusCode).send(body);
  });
  // A known path with another method is a 405 naming the methods it has (Allow); answered in
  // onRequest, before any body is parsed, so the answer never depends on the body.
  const routes: { method: string; pattern: RegExp }[] = [];
  app.addHook('onRoute', (route) => {
    const pattern = new RegExp(`^${route.url.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\\\*|\*/g, '.*').replace(/:[^/]+/g, '[^/]+')}/?$`);
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) routes.push({ method, pattern });
  });
  const unmatched = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return reply.code(405).send(errorBody(new SweepError('SWEEP_ERR_METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`), []));
    }
    const body = errorBody(new SweepError('SWEEP_ERR_NOT_FOUND', `no route ${request.method} ${path}`, { hint: 'GET /docs/json lists every endpoint' }), []);
    return reply.code(404).send(body);
  };
  app.addHook('onRequest', (request, reply, done) => {
    if (request.is404) unmatched(request, reply);
    else done();
  });
  app.setNotFoundHandler(unmatched);
}
