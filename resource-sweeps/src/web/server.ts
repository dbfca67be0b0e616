/**
 * Listens: builds the session and the app, binds (127.0.0.1 unless told otherwise, with a
 * token required elsewhere: web-options.ts), prints where the page is, and closes gracefully:
 * a sweep or load it started is stopped and its containers removed before close() resolves.
 */
import type { FastifyInstance } from 'fastify';
import { createDocker, type Docker } from '@rightsize/compose/docker';
import { runLoad } from '@rightsize/loadtest/runner';
import { createBalancerSource } from './adapters/balancer-source.js';
import { createDockerSweepFactory } from './adapters/docker-sweep-factory.js';
import { buildWebApp } from './app.js';
import { createSession, type Session } from './session.js';
import type { SweepFactory } from './sweep-control.js';
import type { RunLoadFn } from './swarm-control.js';
import { parseWebOptions, type WebOptionsInput } from './web-options.js';

export interface WebServer {
  url: string;
  app: FastifyInstance;
  session: Session;
  close(): Promise<void>;
}

export interface StartWebServerOptions {
  options: WebOptionsInput;
  /** default: real sweeps on Docker; null: the server only follows a sweep attached by the CLI */
  factory?: SweepFactory | null;
  runLoad?: RunLoadFn;
  docker?: Docker | null;
  log?: (message: string) => void;
}

export async function startWebServer(input: StartWebServerOptions): Promise<WebServer> {
  const options = parseWebOptions(input.options);
  const docker = input.docker === undefined ? createDocker() : input.docker;
  const factory = input.factory === undefined ? createDockerSweepFactory({ reportsRoot: options.reportsRoot, ...(docker ? { docker } : {}) }) : input.factory;
  const session = createSession({
    options,
    factory,
    runLoad: input.runLoad ?? ((o, h) => runLoad(o, { ...h, ...(docker ? { docker } : {}) })),
    balancer: createBalancerSource({ docker, fallbackStatsUrl: options.statsUrl }),
    ...(input.log ? { log: input.log } : {}),
  });
  const app = await buildWebApp({ session, options });
  app.addHook('onClose', async () => session.close());
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shown = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { url: `http://${shown}:${port}`, app, session, close: () => app.close() };
}
