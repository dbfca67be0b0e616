// Admission control for inference routes: a bounded number of requests in flight (queued for a
// micro-batch, running, or being answered) per process. Past the bound a request is refused at
// once with 503 + Retry-After, before its body is read or validated, so latency and memory stay
// bounded under overload (Triton's max_queue_size, TorchServe's job_queue_size, BentoML's
// max_concurrency). Readiness is not checked here: while draining after SIGTERM, requests that
// still arrive are served (app.ts answers 503 PREDICT_ERR_SHUTTING_DOWN once close() starts).
//
// The refusal must be much cheaper than the work it protects: a closed-loop client retries a 503
// at once, and if refusing cost as much as predicting, refusals would eat the event loop and the
// admitted requests would starve (measured: 196 successes/s instead of thousands). So the answer
// is prebuilt per dialect and written straight to the socket (no Error, stack trace, error
// handler or serializer); the caller's onReject records it in the metrics.
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { sendError, type ErrorFormat } from '../error-handler.js';
import { ApiError } from '../errors.js';

export interface ServerState {
  /** True after the model is loaded and warmed up and the app is listening; false once shutdown starts. */
  ready: boolean;
}

export interface Admission {
  onRequest: onRequestHookHandler;
  inflight(): number;
  readonly limit: number;
}

export interface AdmissionOptions {
  limit: number;
  retryAfterSeconds: number;
  /** Called for every refused request (metrics); the reply has been sent already. */
  onReject: () => void;
}

export function overloadError(limit: number, retryAfterSeconds: number): ApiError {
  return new ApiError('PREDICT_ERR_OVERLOADED', {
    message: `${limit} requests are in flight (MAX_INFLIGHT); retry after ${retryAfterSeconds} s`,
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}

/** The exact status, headers and body sendError() would produce, rendered once per dialect. */
function prebuilt(limit: number, retryAfterSeconds: number) {
  const error = overloadError(limit, retryAfterSeconds);
  const render = (format: ErrorFormat) => {
    const captured: { headers: Record<string, string>; body: string } = { headers: {}, body: '' };
    const fake = {
      headers(h: Record<string, string>) {
        Object.assign(captured.headers, h);
        return fake;
      },
      code() {
        return fake;
      },
      type(t: string) {
        captured.headers['content-type'] = t;
        return fake;
      },
      send(b: string) {
        captured.body = b;
        return fake;
      },
    };
    sendError(fake as unknown as FastifyReply, error, format);
    const body = Buffer.from(captured.body);
    return { headers: { ...captured.headers, 'content-length': String(body.length) }, body };
  };
  return { default: render('default'), mlflow: render('mlflow'), kserve: render('kserve') };
}

export function createAdmission(options: AdmissionOptions): Admission {
  let inflight = 0;
  const answers = prebuilt(options.limit, options.retryAfterSeconds);
  // 'close' fires on the response both when it finished and when the client went away, so the
  // slot is always returned; a named function avoids a closure per request.
  function release(): void {
    inflight--;
  }
  function onRequest(request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
    if (inflight >= options.limit) {
      const answer = answers[request.routeOptions.config?.errorFormat ?? 'default'];
      reply.hijack();
      reply.raw.writeHead(503, answer.headers);
      reply.raw.end(answer.body);
      options.onReject();
      return;
    }
    inflight++;
    reply.raw.once('close', release);
    done();
  }
  return { onRequest: onRequest as onRequestHookHandler, inflight: () => inflight, limit: options.limit };
}
