/**
 * Listens: builds the session and the app over the ports it is given (real ones from
 * src/adapters/docker-web-ports.ts), binds (127.0.0.1 unless told otherwise, with a token
 * required elsewhere: web-options.ts), and closes gracefully: a sweep or load it started is
 * stopped and its containers removed before close() resolves.
 */
import type { FastifyInstance } from 'fastify';
import { buildWebApp } from './app.js';
import { createSession, type Session } from './session.js';
import type { WebOptions } from './web-options.js';
import type { WebPorts } from './web-ports.js';

export interface WebServer {
  url: string;
  app: FastifyInstance;
  session: Session;
  close(): Promise<void>;
}

export interface StartWebServerOptions {
  /** parsed once by the caller (parseWebOptions, webOptionsFromArgs) */
  options: WebOptions;
  ports: WebPorts;
  log?: (message: string) => void;
}

export async function startWebServer(input: StartWebServerOptions): Promise<WebServer> {
  const { options } = input;
  const session = createSession({ options, ...input.ports, ...(input.log ? { log: input.log } : {}) });
  const app = await buildWebApp({ session, options });
  app.addHook('onClose', async () => session.close());
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shown = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { url: `http://${shown}:${port}`, app, session, close: () => app.close() };
}
