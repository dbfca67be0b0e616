/**
 * Locust's control endpoints: POST /swarm (form-encoded or JSON user_count, spawn_rate, host,
 * run_time) and GET /stop (plus POST /stop, which is what a GET that changes state should
 * have been). /stop stops whatever runs, an ad-hoc load or a sweep; with nothing running it
 * answers success like Locust does, so a script's final /stop never fails.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorBodySchema } from '../http-errors.js';
import { AdhocLoadResponseSchema, adhocLoadBodySchema, SweepStatusSchema } from '../schemas.js';
import type { Session } from '../session.js';
import type { WebOptions } from '../web-options.js';

const StopSchema = z.object({ success: z.literal(true), message: z.string(), stopped: z.enum(['sweep', 'swarm']).nullable(), status: SweepStatusSchema }).strict();
const errors = { 400: ErrorBodySchema, 401: ErrorBodySchema, 403: ErrorBodySchema, 409: ErrorBodySchema, 503: ErrorBodySchema };

export async function adhocLoadRoutes(app: FastifyInstance, session: Session, options: WebOptions): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  // the path and fields are Locust's API: its clients and scripts call them as they are
  r.post('/swarm', {
    config: { guarded: true, mutating: true },
    schema: {
      summary: "Start an ad-hoc load, like Locust's POST /swarm (form-encoded or JSON)",
      description: `Closed model through the project's load runner (k6): user_count users, started at spawn_rate per second, each sending a prediction then thinking 1-2.5 s, for run_time (default ${options.adhocLoad.defaultRunTimeS} s, at most ${options.adhocLoad.maxRunTimeS} s). host must be loopback. Answers once the generator is up.`,
      tags: ['load'],
      consumes: ['application/x-www-form-urlencoded', 'application/json'],
      body: adhocLoadBodySchema(options.adhocLoad),
      response: { 200: AdhocLoadResponseSchema, ...errors },
    },
    handler: async (request) => session.adhocLoad.start(request.body),
  });
  const stop = {
    config: { guarded: true, mutating: true },
    schema: { summary: 'Stop what runs (an ad-hoc load or a sweep), like Locust\'s GET /stop', tags: ['load'], response: { 200: StopSchema, 401: ErrorBodySchema, 403: ErrorBodySchema } },
    handler: async () => {
      let stopped: 'sweep' | 'swarm' | null = null;
      if (session.adhocLoad.running()) {
        session.adhocLoad.stop();
        stopped = 'swarm';
      } else if (session.sweep.running()) {
        session.sweep.stop();
        stopped = 'sweep';
      }
      return { success: true as const, message: stopped ? 'Test stopped' : 'nothing was running', stopped, status: session.status() };
    },
  };
  // Locust's path, as /swarm
  r.get('/stop', stop);
  r.post('/stop', stop);
}
