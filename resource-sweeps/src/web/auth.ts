/**
 * Who may steer. Routes marked `guarded` (everything that starts or stops load, and the event
 * stream) need `Authorization: Bearer <token>` when the server has a token (it must have one to
 * bind beyond loopback). Routes marked `mutating` also refuse what a browser sends on behalf of
 * another site (Sec-Fetch-Site cross-site, or an Origin that is not this server): without that,
 * any web page could POST a form to 127.0.0.1 and start load. On loopback the Host header must
 * be a loopback name, which defeats DNS rebinding.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SweepError } from '../errors.js';
import { isLoopbackHost } from './web-options.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** needs the bearer token when the server has one */
    guarded?: boolean;
    /** changes state: refused when a browser sends it for another site */
    mutating?: boolean;
  }
}

export function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from((m[1] as string).trim());
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

function hostName(hostHeader: string): string {
  // "[::1]:8089" -> "::1", "127.0.0.1:8089" -> "127.0.0.1"
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(hostHeader) ?? /^([^:]+)(?::\d+)?$/.exec(hostHeader);
  return m?.[1] ?? hostHeader;
}

export function crossSiteReason(request: Pick<FastifyRequest, 'headers'>): string | null {
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return `Sec-Fetch-Site: ${site}`;
  const origin = request.headers.origin;
  if (origin && origin !== 'null') {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return `Origin ${origin} is not a URL`;
    }
    if (originHost !== request.headers.host) return `Origin ${origin} is not this server (${request.headers.host ?? 'no Host'})`;
  } else if (origin === 'null') return 'Origin null (a sandboxed or file page)';
  return null;
}

export function registerAuth(app: FastifyInstance, options: { token: string | null; loopbackOnly: boolean }): void {
  app.addHook('onRequest', async (request) => {
    if (options.loopbackOnly) {
      const host = hostName(request.headers.host ?? '');
      if (!isLoopbackHost(host)) {
        throw new SweepError('SWEEP_ERR_FORBIDDEN', `Host "${request.headers.host ?? ''}" is not a loopback name`, { hint: 'open the page as http://127.0.0.1:<port>/ (or localhost)' });
      }
    }
    const config = request.routeOptions.config;
    if (config?.guarded && options.token !== null && !tokenMatches(request.headers.authorization, options.token)) {
      throw new SweepError('SWEEP_ERR_UNAUTHORIZED', 'this server needs "Authorization: Bearer <token>" to start, stop or follow load', { hint: 'the token is the --token (or RIGHTSIZE_SWEEP_TOKEN) the server was started with; the page asks for it once' });
    }
    if (config?.mutating) {
      const reason = crossSiteReason(request);
      if (reason) throw new SweepError('SWEEP_ERR_FORBIDDEN', `refused a state-changing request sent by another site (${reason})`, { hint: 'call the API from the page itself, curl or a script' });
    }
  });
}
