/**
 * Builds the live page/API app (never listens; server.ts does). Tests build it with a session
 * over a synthetic sweep factory and call app.inject(); the real server passes the Docker one.
 * One zod schema per request/response: validation, types and the OpenAPI document at
 * GET /docs/json come from the same place.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler } from 'fastify-type-provider-zod';
import type { FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { registerAuth } from './auth.js';
import { registerErrorHandler, requestValidationError } from './http-errors.js';
import { adhocLoadRoutes } from './routes/adhoc-load-routes.js';
import { pageRoutes } from './routes/page-routes.js';
import { statsRoutes } from './routes/stats-routes.js';
import { sweepRoutes } from './routes/sweep-routes.js';
import type { Session } from './session.js';
import { isLoopbackHost, type WebOptions } from './web-options.js';

const validatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (data) => {
    const result = schema.safeParse(data);
    return result.success ? { value: result.data } : { error: requestValidationError(result.error.issues, httpPart ?? 'request') };
  };

export async function buildWebApp(input: { session: Session; options: WebOptions; logger?: boolean }): Promise<FastifyInstance> {
  const { session, options } = input;
  const app = Fastify({ logger: input.logger ?? false, bodyLimit: 1024 * 1024, forceCloseConnections: true });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Locust clients POST /swarm form-encoded
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  registerErrorHandler(app);
  registerAuth(app, { token: options.token, loopbackOnly: isLoopbackHost(options.host) });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'rightsize live sweep API',
        version: '0.1.0',
        description: 'Watch and steer resource sweeps and ad-hoc loads. Mutating endpoints and GET /events need "Authorization: Bearer <token>" when the server was started with a token.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger());

  await sweepRoutes(app, session);
  await adhocLoadRoutes(app, session, options);
  await statsRoutes(app, session);
  await pageRoutes(app, session);
  app.addHook('preClose', async () => session.hub.close());
  return app;
}
