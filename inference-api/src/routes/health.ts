// Liveness (the process answers) and readiness (model loaded and warmed, not shutting down),
// in our paths and the Open Inference Protocol's.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { ErrorBodySchema } from '../errors.js';
import { errorResponses } from '../error-responses.js';

const LiveSchema = z.object({ live: z.boolean() });
const ReadySchema = z.object({ ready: z.boolean() });

export async function healthRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  for (const prefix of ['/health', '/v2/health']) {
    const tags = [prefix === '/health' ? 'health' : 'open inference protocol'];
    r.get(`${prefix}/live`, { schema: { tags, summary: 'Liveness', response: { 200: LiveSchema, ...errorResponses([]) } } }, async () => ({ live: true }));
    r.get(
      `${prefix}/ready`,
      { schema: { tags, summary: 'Readiness: 200 after the model is loaded and warmed up, 503 before and while shutting down', response: { 200: ReadySchema, ...errorResponses([]), 503: { description: '{ready: false} before the model is warmed up and while draining; the error body once close() has begun', content: { 'application/json': { schema: z.union([ReadySchema, ErrorBodySchema]) } } } } } },
      async (_request, reply) => {
        if (!ctx.state.ready) reply.code(503);
        return { ready: ctx.state.ready };
      },
    );
  }
}
