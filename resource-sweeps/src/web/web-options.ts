/**
 * The live page/API's options, validated once and frozen. The rule that matters: the server
 * binds to loopback unless told otherwise, and binding anywhere else needs a token (every
 * mutating request and the event stream then carry `Authorization: Bearer <token>`). A
 * server that could start load on this machine is not left open to the network by accident.
 */
import { isIP } from 'node:net';
import { formatIssues } from '@rightsize/compose/kit/issues';
import { z } from 'zod';
import { getSweepEnv } from '../config.js';
import { SweepError } from '../errors.js';

/** Locust's web UI port: people coming from Locust find the page where they expect it. */
export const DEFAULT_WEB_PORT = 8089;
export const MIN_TOKEN_LENGTH = 16;

export const WebOptionsSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(DEFAULT_WEB_PORT),
    token: z.string().min(1).nullable().default(null),
    /** where sweep run folders go (resolved by the caller) */
    reportsRoot: z.string().min(1),
    /** ad-hoc load target when POST /swarm names no host: the compose stack's balancer */
    defaultTarget: z.string().url().default('http://127.0.0.1:8080'),
    /** HAProxy stats of a stack this server did not start (docker-compose up): read when no trial stack is up */
    statsUrl: z.string().url().default('http://127.0.0.1:8404/stats;csv'),
    adhocLoad: z
      .object({
        /** every ad-hoc load stops by itself: run_time defaults to this... */
        defaultRunTimeS: z.number().positive().default(120),
        /** ...and may not exceed this */
        maxRunTimeS: z.number().positive().default(3600),
        maxUsers: z.number().int().positive().default(10_000),
      })
      .strict()
      .default({ defaultRunTimeS: 120, maxRunTimeS: 3600, maxUsers: 10_000 }),
  })
  .strict();
export type WebOptionsInput = z.input<typeof WebOptionsSchema>;
export type WebOptions = Readonly<z.output<typeof WebOptionsSchema>>;

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1';
}

/** Validates options and the bind policy; every problem names the flag to change. */
export function parseWebOptions(input: WebOptionsInput): WebOptions {
  const parsed = WebOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issues = formatIssues(parsed.error.issues, { root: '(options)' });
    throw new SweepError('SWEEP_ERR_ARGS', 'invalid options for the live page', { key: `--${String(parsed.error.issues[0]?.path[0] ?? 'port')}`, details: issues, hint: 'npm run sweep -- --help' });
  }
  const options = parsed.data;
  if (!isLoopbackHost(options.host)) {
    if (options.token === null) {
      throw new SweepError('SWEEP_ERR_ARGS', `binding the live page to ${options.host} exposes an API that starts load on this machine`, {
        key: '--token',
        hint: `pass --token <at least ${MIN_TOKEN_LENGTH} characters> (or set RIGHTSIZE_SWEEP_TOKEN); clients then send "Authorization: Bearer <token>". Or keep the default --host 127.0.0.1`,
      });
    }
  }
  if (options.token !== null && options.token.length < MIN_TOKEN_LENGTH) {
    throw new SweepError('SWEEP_ERR_ARGS', `the token is ${options.token.length} characters; use at least ${MIN_TOKEN_LENGTH}`, { key: '--token', hint: 'e.g. --token "$(openssl rand -hex 16)"' });
  }
  return Object.freeze({ ...options, adhocLoad: Object.freeze({ ...options.adhocLoad }) });
}

/** The live page's command-line flags (`serve`, `--serve`), as src/cli-args.ts reads them; null: not given. */
export interface ServeArgs {
  host: string | null;
  port: number | null;
  token: string | null;
  target: string | null;
  statsUrl: string | null;
}

/** The flags (and RIGHTSIZE_SWEEP_TOKEN) as options, checked: a bad one is refused before anything else starts. */
export function webOptionsFromArgs(args: ServeArgs, reportsRoot: string): WebOptions {
  const token = args.token ?? getSweepEnv().RIGHTSIZE_SWEEP_TOKEN ?? null;
  return parseWebOptions({
    reportsRoot,
    ...(args.host ? { host: args.host } : {}),
    ...(args.port !== null ? { port: args.port } : {}),
    ...(token ? { token } : {}),
    ...(args.target ? { defaultTarget: args.target } : {}),
    ...(args.statsUrl ? { statsUrl: args.statsUrl } : {}),
  });
}
