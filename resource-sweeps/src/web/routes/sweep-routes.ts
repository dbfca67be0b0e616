/**
 * Sweeps over HTTP: status, start from a JSON plan (validated by the plan loader, so the keys
 * a CLI plan is refused for are the keys named here, under `plan.`), stop (the current trial
 * is torn down, finished trials kept), resume a run folder.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SweepRequest } from '../../engine/sweep-factory.js';
import { isSweepError, SweepError } from '../../errors.js';
import { loadPlanFile, parsePlanObject } from '../../plan/load-plan.js';
import { SweepPlanSchema } from '../../plan/plan-schema.js';
import { QUICK_PLAN } from '../../run-setup.js';
import { ErrorBodySchema, planErrorKeys, RequestError } from '../http-errors.js';
import { ResumeBodySchema, StartSweepBodySchema, SweepStatusSchema, type StartSweepBody } from '../schemas.js';
import type { Session } from '../session.js';

const errors = { 400: ErrorBodySchema, 401: ErrorBodySchema, 403: ErrorBodySchema, 404: ErrorBodySchema, 409: ErrorBodySchema, 503: ErrorBodySchema };

export async function requestFromBody(body: StartSweepBody): Promise<SweepRequest> {
  if (body.plan !== undefined && body.quick) {
    throw new RequestError(new SweepError('SWEEP_ERR_BAD_REQUEST', '"plan" and "quick" are alternatives: give one'), ['quick']);
  }
  const runId = body.run_id ?? null;
  if (body.quick) return { kind: 'new', plan: (await loadPlanFile({ file: QUICK_PLAN })).plan, source: 'quick', runId };
  if (body.plan === undefined) return { kind: 'new', plan: SweepPlanSchema.parse({}), source: 'default', runId };
  try {
    return { kind: 'new', plan: parsePlanObject(body.plan, { source: 'request body' }), source: 'request body', runId };
  } catch (error) {
    if (isSweepError(error) && error.code === 'SWEEP_ERR_PLAN_INVALID') throw new RequestError(error, planErrorKeys(error, 'plan.'));
    throw error;
  }
}

export async function sweepRoutes(app: FastifyInstance, session: Session): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/sweep', {
    schema: { summary: 'The sweep this server runs or ran last, and what it is doing', tags: ['sweep'], response: { 200: SweepStatusSchema } },
    handler: async () => session.status(),
  });
  r.post('/api/sweep', {
    config: { guarded: true, mutating: true },
    schema: {
      summary: 'Start a sweep from a plan (JSON); 400 names every offending key',
      description: 'Body: {"plan": {...}} with any keys of the plan reference (durations "10s", memory "256m"), or {"quick": true}, or {} for the default plan. Answers 202 once the run folder exists; follow it on GET /events.',
      tags: ['sweep'],
      body: StartSweepBodySchema,
      response: { 202: SweepStatusSchema, ...errors },
    },
    handler: async (request, reply) => {
      await session.sweep.start(await requestFromBody(request.body));
      return reply.code(202).send(session.status());
    },
  });
  r.post('/api/sweep/stop', {
    config: { guarded: true, mutating: true },
    schema: { summary: 'Stop the running sweep: the current trial is torn down, finished trials are kept (resume later)', tags: ['sweep'], response: { 202: SweepStatusSchema, ...errors } },
    handler: async (_request, reply) => {
      session.sweep.stop();
      return reply.code(202).send(session.status());
    },
  });
  r.post('/api/sweep/resume', {
    config: { guarded: true, mutating: true },
    schema: { summary: 'Resume a stopped or crashed sweep from its run folder; recorded trials are not run again', tags: ['sweep'], body: ResumeBodySchema, response: { 202: SweepStatusSchema, ...errors } },
    handler: async (request, reply) => {
      await session.sweep.start({ kind: 'resume', run: request.body.run });
      return reply.code(202).send(session.status());
    },
  });
  r.get('/api/snapshot', {
    schema: { summary: 'Everything the page shows (the view a page receives first on GET /events)', tags: ['sweep'], response: { 200: z.record(z.string(), z.unknown()) } },
    handler: async () => session.view.snapshot() as unknown as Record<string, unknown>,
  });
}
