// The one error handler. Every failure becomes an ApiError from the catalog, then is rendered in
// the dialect of the route family: ours (default), MLflow's scoring server (/invocations) or the
// Open Inference Protocol (/v2). Unknown routes get a JSON 404, known paths with the wrong method
// a JSON 405 with Allow. A 500 never carries internals: they go to the log with the request id.
import { STATUS_CODES } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, isApiError, type ErrorBody, type MlflowErrorCode } from './errors.js';
import { pyDumps } from './invocations/py-json.js';

export type ErrorFormat = 'default' | 'mlflow' | 'kserve';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** How this route renders errors. */
    errorFormat?: ErrorFormat;
    /** Counted against MAX_INFLIGHT (inference routes). */
    admission?: boolean;
  }
}

const FASTIFY_CODES: Record<string, ApiError['code']> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PREDICT_ERR_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'PREDICT_ERR_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'PREDICT_ERR_INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'PREDICT_ERR_INVALID_JSON',
};

/** Pure: any thrown value -> an ApiError (a 4xx keeps its meaning; anything else is a 500). */
export function toApiError(err: unknown, request: Pick<FastifyRequest, 'id' | 'headers' | 'body'>): ApiError {
  if (isApiError(err)) return err;
  const e = err as { code?: string; statusCode?: number; message?: string };
  const mapped = e.code ? FASTIFY_CODES[e.code] : undefined;
  if (mapped === 'PREDICT_ERR_UNSUPPORTED_MEDIA_TYPE') {
    const type = request.headers['content-type'];
    return new ApiError(mapped, { message: `unsupported content type ${type ? `"${type}"` : '(none)'}; send application/json` });
  }
  if (mapped === 'PREDICT_ERR_INVALID_JSON') {
    return new ApiError(mapped, { message: `the body is not valid JSON: ${e.message ?? ''}`.trim() });
  }
  if (mapped) return new ApiError(mapped, { message: e.message });
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new ApiError('PREDICT_ERR_BAD_REQUEST', { message: e.message ?? 'bad request' });
  }
  return new ApiError('PREDICT_ERR_INTERNAL', { message: `internal error; see the server log for request ${request.id}` });
}

const MLFLOW_BY_STATUS: Record<number, MlflowErrorCode> = { 400: 'BAD_REQUEST', 413: 'BAD_REQUEST', 503: 'TEMPORARILY_UNAVAILABLE' };

export function sendError(reply: FastifyReply, error: ApiError, format: ErrorFormat): FastifyReply {
  if (error.headers) reply.headers(error.headers);
  reply.code(error.statusCode);
  if (format === 'mlflow') {
    // MLflow's server answers media-type problems in plain text and everything else as
    // {"error_code", "message"} written by Python's json.dumps.
    if (error.statusCode === 415) return reply.type('text/plain; charset=utf-8').send(error.message);
    const code = error.mlflowCode ?? MLFLOW_BY_STATUS[error.statusCode] ?? (error.statusCode >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
    return reply.type('application/json').send(pyDumps({ error_code: code, message: error.message }));
  }
  if (format === 'kserve') {
    return reply.type('application/json').send(JSON.stringify({ error: error.message, code: error.code, fields: error.fields }));
  }
  const body: ErrorBody = {
    statusCode: error.statusCode,
    code: error.code,
    error: STATUS_CODES[error.statusCode] ?? 'Error',
    message: error.message,
  };
  if (error.fields) body.fields = error.fields;
  if ((error as { fieldsTruncated?: boolean }).fieldsTruncated) body.fieldsTruncated = true;
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(body));
}

export function registerErrorHandling(app: FastifyInstance): void {
  const routes: { method: string; pattern: RegExp }[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const pattern = new RegExp(`^${route.url.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\\\*|\*/g, '.*').replace(/:[^/]+/g, '[^/]+')}/?$`);
    for (const method of methods) routes.push({ method, pattern });
  });

  app.setErrorHandler((err, request, reply) => {
    const error = toApiError(err, request);
    if (error.statusCode >= 500 && error.code === 'PREDICT_ERR_INTERNAL') request.log.error({ err }, 'request failed');
    return sendError(reply, error, request.routeOptions.config?.errorFormat ?? 'default');
  });

  // Unmatched requests are answered in onRequest, before any body is read: a 404 or 405 does not
  // depend on the body, and parsing it first would turn e.g. `QUERY /model` without a Content-Type
  // into a 400 (Fastify parses bodies of every method but GET/HEAD).
  const answerUnmatched = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendError(
        reply,
        new ApiError('PREDICT_ERR_METHOD_NOT_ALLOWED', { message: `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}` }),
        'default',
      );
    }
    return sendError(reply, new ApiError('PREDICT_ERR_NOT_FOUND', { message: `no route ${request.method} ${path}; see GET /docs` }), 'default');
  };
  app.addHook('onRequest', (request, reply, done) => {
    if (request.is404) answerUnmatched(request, reply);
    else done();
  });
  app.setNotFoundHandler(answerUnmatched);
}
