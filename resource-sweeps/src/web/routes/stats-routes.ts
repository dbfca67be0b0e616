/**
 * Reading: Locust-compatible live statistics with 1-minute, 5-minute and 1-hour windows, and
 * the balancer's backends with their rates. Reads need no token (they start nothing).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { BalancerViewSchema } from '../balancer.js';
import { ErrorBodySchema } from '../http-errors.js';
import { StatsRequestsSchema } from '../schemas.js';
import type { Session } from '../session.js';

export async function statsRoutes(app: FastifyInstance, session: Session): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/stats/requests', {
    schema: {
      summary: "Live statistics in the shape of Locust's GET /stats/requests, plus windows over 1 min, 5 min and 1 h",
      description: 'See latency_source for where percentiles come from: the load runner gives req/s and failures each second but latency only per finished step.',
      tags: ['stats'],
      response: { 200: StatsRequestsSchema },
    },
    handler: async () => session.statsRequests(),
  });
  r.get('/api/balancer', {
    schema: {
      summary: "The load balancer's backends: state, sessions, rates, answers by class, mean response time (HAProxy /stats;csv)",
      tags: ['stats'],
      response: { 200: BalancerViewSchema, 404: ErrorBodySchema },
    },
    handler: async () => session.balancer(),
  });
}
