// Admission control for inference routes: a bounded number of requests in flight (queued for a
// micro-batch, running, or being answered) per process. Past the bound a request is refused at
// once with 503 + Retry-After, before its body is validated or any inference is queued, so
// latency and memory stay bounded under overload (Triton's max_queue_size, TorchServe's
// job_queue_size, BentoML's max_concurrency). Readiness is not checked here: while draining after
// SIGTERM, requests that still arrive are served (Fastify answers 503 once close() starts).
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
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
  onReject: (reason: 'overload') => void;
}

export function createAdmission(options: AdmissionOptions): Admission {
  let inflight = 0;
  const retryAfter = String(options.retryAfterSeconds);
  // 'close' fires on the response both when it finished and when the client went away, so the
  // slot is always returned; a named function avoids a closure per request.
  function release(): void {
    inflight--;
  }
  function onRequest(_request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
    if (inflight >= options.limit) {
      options.onReject('overload');
      done(
        new ApiError('PREDICT_ERR_OVERLOADED', {
          message: `${inflight} requests in flight (MAX_INFLIGHT=${options.limit}); retry after ${retryAfter}s`,
          headers: { 'retry-after': retryAfter },
        }),
      );
      return;
    }
    inflight++;
    reply.raw.once('close', release);
    done();
  }
  return { onRequest: onRequest as onRequestHookHandler, inflight: () => inflight, limit: options.limit };
}
