/**
 * The page (one HTML file and two small scripts, read once at start: no bundler, no CDN), the
 * event stream it listens to, and the reports of the runs this server followed. Hidden from
 * the OpenAPI document except GET /events, which scripts may follow too.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SweepError } from '../../errors.js';
import type { Session } from '../session.js';

const STATIC_DIR = fileURLToPath(new URL('../static/', import.meta.url));
const ASSETS: Record<string, string> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/charts.js': 'charts.js',
};
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.md': 'text/markdown; charset=utf-8', '.json': 'application/json; charset=utf-8' };
/** what a run folder may serve: its renderings and its data, nothing else */
const RUN_FILES = new Set(['report.html', 'report.md', 'summary.json', 'results.jsonl', 'run.json']);

export async function pageRoutes(app: FastifyInstance, session: Session): Promise<void> {
  const assets = new Map<string, string>();
  for (const [route, file] of Object.entries(ASSETS)) assets.set(route, await readFile(path.join(STATIC_DIR, file), 'utf8'));
  for (const [route, file] of Object.entries(ASSETS)) {
    app.get(route, { schema: { hide: true } }, async (_request, reply) => {
      // the page is small and changes with the server; never a stale copy after an upgrade
      return reply.type(TYPES[path.extname(file)] as string).header('cache-control', 'no-cache').send(assets.get(route));
    });
  }

  app.withTypeProvider<ZodTypeProvider>().get('/runs/:run_id/:file', {
    schema: { hide: true, params: z.object({ run_id: z.string(), file: z.string() }).strict() },
    handler: async (request, reply) => {
      const { run_id: runId, file } = request.params;
      const dir = session.sweep.dirOf(runId);
      if (!dir) throw new SweepError('SWEEP_ERR_NOT_FOUND', `no run "${runId}" followed by this server`, { hint: 'GET /api/sweep names the current run' });
      if (!RUN_FILES.has(file)) throw new SweepError('SWEEP_ERR_NOT_FOUND', `a run serves only ${[...RUN_FILES].join(', ')}`);
      const text = await readFile(path.join(dir, file), 'utf8').catch(() => null);
      if (text === null) throw new SweepError('SWEEP_ERR_NOT_FOUND', `${file} of ${runId} is not written yet`, { hint: 'reports are written after each trial' });
      return reply.type(TYPES[path.extname(file)] ?? 'text/plain; charset=utf-8').header('cache-control', 'no-cache').send(text);
    },
  });

  app.get('/events', {
    config: { guarded: true },
    schema: {
      summary: 'Server-sent events: a snapshot first, then every sweep engine event as it happens (sweep:start, trial:start, trial:phase, trial:load, trial:sample, trial:end, trial:replayed, summary:written, sweep:end, warning), page events (view:state, view:trial, view:map, swarm:load, balancer) and a stats event every second',
      tags: ['events'],
      produces: ['text/event-stream'],
    },
    handler: (request, reply) => {
      reply.hijack();
      const first = [
        { name: 'snapshot', data: session.view.snapshot() },
        { name: 'stats', data: session.statsRequests() },
        ...(session.lastBalancer() ? [{ name: 'balancer', data: session.lastBalancer() }] : []),
      ];
      session.hub.add(reply.raw, first);
      request.raw.on('close', () => reply.raw.end());
    },
  });
}
