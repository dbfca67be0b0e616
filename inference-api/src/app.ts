// Builds the Fastify app (never listens; server.ts does). Tests call buildApp() and use inject().
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler } from 'fastify-type-provider-zod';
import type { AppContext } from './app-context.js';
import type { Config } from './config.js';
import { registerErrorHandling, sendError } from './error-handler.js';
import { ApiError } from './errors.js';
import { createAdmission, type ServerState } from './inference/admission.js';
import { createDirectInference, createMicroBatcher, type Inference } from './inference/batcher.js';
import { labPlugin } from './lab/lab-plugin.js';
import type { Sizing } from './limits.js';
import { createMetrics } from './metrics/metrics.js';
import { acceptJsonWithoutContentType } from './missing-content-type.js';
import { loadModel, type LoadedModel } from './model/load-model.js';
import { healthRoutes } from './routes/health.js';
import { invocationsRoute } from './routes/invocations.js';
import { metricsRoute } from './routes/metrics-route.js';
import { modelInfoRoute } from './routes/model-info.js';
import { predictRoute } from './routes/predict.js';
import { v2Routes } from './routes/v2-models.js';
import { zodValidatorCompiler } from './validation.js';
import http from 'node:http';
import { deriveOverloadLimits } from './overload.js';

export interface BuildAppOptions {
  config: Readonly<Config>;
  sizing: Sizing;
  /** A model loaded by the caller (tests share one); otherwise the app loads config.model.uri and closes it on close. */
  model?: LoadedModel;
  logger?: FastifyServerOptions['logger'];
  /** Starts not ready; server.ts flips it once listening. Tests default to ready. */
  ready?: boolean;
}

export type App = FastifyInstance & { ctx: AppContext };

export async function buildApp(options: BuildAppOptions): Promise<App> {
  const { config, sizing } = options;
  // bounded waiting, sized from the CPU limit and the latency objective (overload.ts)
  const overload = deriveOverloadLimits(config.overload, sizing.cpus);
  const app = Fastify({
    // Node checks request timeouts every connectionsCheckingInterval (30 s by default), far too
    // late for a timeout of a second or two: check every quarter of it. (With a factory Fastify
    // sets no server options itself: the keep-alive timeout is its default, 72 s.)
    serverFactory: (handler) => {
      const server = http.createServer({ requestTimeout: overload.requestTimeoutMs, headersTimeout: overload.requestTimeoutMs, connectionsCheckingInterval: Math.max(100, Math.round(overload.requestTimeoutMs / 4)) }, handler);
      server.keepAliveTimeout = 72_000;
      return server;
    },
    logger: options.logger ?? false,
    bodyLimit: config.limits.bodyLimitBytes,
    // One log line per request costs more than the request at 20k req/s; metrics cover it.
    logController: new LogController({ disableRequestLogging: true }),
    // Requests that arrive once close() has begun get our 503 (below), not Fastify's own body.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Everything we parse goes through zod; Fastify's ajv is never used.
    ajv: { customOptions: { coerceTypes: false } },
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Only JSON (or a body without Content-Type, read as JSON) reaches /predict (415 otherwise);
  // /invocations registers CSV itself, /v2 adds the binary tensor extension.
  app.removeContentTypeParser(['text/plain']);
  acceptJsonWithoutContentType(app);
  registerErrorHandling(app);

  const log = (msg: string, extra?: Record<string, unknown>) => app.log.info(extra ?? {}, msg);
  const ownsModel = options.model === undefined;
  const model = options.model ?? (await loadModel({ config, sizing, log }));
  if (ownsModel) app.addHook('onClose', async () => model.close());

  const state: ServerState = { ready: options.ready ?? true };
  let admissionRef: { inflight(): number } = { inflight: () => 0 };
  const metrics = createMetrics({
    inflight: () => admissionRef.inflight(),
    inflightLimit: overload.maxInflight,
    model: { name: model.name, version: model.version, sha256: model.digest.onnxSha256 },
    limits: { cpus: sizing.cpus, memoryLimitBytes: sizing.memoryLimitBytes, heapLimitMb: sizing.heapLimitMb, intraOpThreads: model.threads.intraOp },
  });
  const admission = createAdmission({
    limit: overload.maxInflight,
    retryAfterSeconds: config.limits.retryAfterSeconds,
    // The hijacked 503 still passes through onResponse (http_requests_total counts it there).
    onReject: () => metrics.rejected.inc({ reason: 'overload' }),
  });
  admissionRef = admission;
  const inferenceOptions = { inputs: model.inputs, run: model.run, observe: metrics.observeInference };
  const inference: Inference = config.batching.enabled
    ? createMicroBatcher({ ...inferenceOptions, maxRows: config.batching.maxRows, maxWaitMs: config.batching.maxWaitMs })
    : createDirectInference(inferenceOptions);
  const ctx: AppContext = { config, sizing, overload, model, inference, admission, metrics, state };

  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  // While draining, answers close their connection: requests that were in flight when close()
  // began would otherwise leave keep-alive sockets open and hold the shutdown until they time out.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (!state.ready) reply.header('connection', 'close');
    done(null, payload);
  });
  let closing = false;
  app.addHook('preClose', (done) => {
    state.ready = false;
    closing = true;
    done();
  });
  // Requests already pipelined or on a busy keep-alive connection when close() begins: refused in
  // the route's error dialect, so the 503 every operation declares is the body it gets.
  app.addHook('onRequest', (request, reply, done) => {
    if (!closing) return done();
    const error = new ApiError('PREDICT_ERR_SHUTTING_DOWN', { message: 'the server is shutting down; retry on another replica' });
    sendError(reply, error, request.routeOptions.config?.errorFormat ?? 'default');
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'rightsize inference API',
        version: '0.1.0',
        description: `Serves ${model.name}${model.version ? ` version ${model.version}` : ''}; request schemas come from its MLflow signature.`,
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await healthRoutes(app, ctx);
  await metricsRoute(app, ctx);
  await modelInfoRoute(app, ctx);
  if (config.lab) await app.register(labPlugin, { ctx, lab: config.lab });
  else await predictRoute(app, ctx);
  await app.register(invocationsRoute, ctx);
  await v2Routes(app, ctx);

  return Object.assign(app, { ctx }) as unknown as App;
}
