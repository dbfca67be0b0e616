// GET /metrics: Prometheus text exposition of the app's registry.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';

export async function metricsRoute(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics' } }, async (_request, reply) => {
    reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
