// GET /metrics: Prometheus text exposition of the app's registry.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { errorResponses } from '../error-responses.js';

export async function metricsRoute(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const type = ctx.metrics.registry.contentType.split(';')[0]!;
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics',
        response: { 200: { description: `Prometheus text exposition (${ctx.metrics.registry.contentType})`, content: { [type]: { schema: z.string() } } }, ...errorResponses([]) },
      },
    },
    async (_request, reply) => {
      reply.type(ctx.metrics.registry.contentType);
      return ctx.metrics.registry.metrics();
    },
  );
}
