/**
 * Command-line arguments -> a validated command. Pure: no file system, no Docker, so every
 * bad argument gets its SWEEP_ERR_ARGS message naming the flag, tested without running anything.
 */
import { parseArgs } from 'node:util';
import { SweepError } from './errors.js';
import { DEFAULT_COMPARE, parseCompareList, type CompareItem } from './plan/compare-targets.js';
import { parseDuration } from './plan/units.js';
// the live page's flags; host/token policy is checked when they become options (webOptionsFromArgs)
import type { ServeArgs } from './web/web-options.js';

export type Command =
  | { kind: 'run'; plan: string | null; quick: boolean; resume: string | null; reports: string | null; runId: string | null; swarmInit: boolean; serve?: ServeArgs }
  | { kind: 'compare'; plan: string | null; quick: boolean; items: CompareItem[]; reports: string | null; runId: string | null; swarmInit: boolean }
  | { kind: 'serve'; web: ServeArgs; reports: string | null }
  | { kind: 'plan'; plan: string | null; quick: boolean }
  | { kind: 'report'; run: string; compare: string | null; reports: string | null }
  | { kind: 'lab'; lambda: number; mu: number; servers: number; durationS: number; image: string; reports: string | null }
  | { kind: 'cleanup' }
  | { kind: 'help' };

export const USAGE = `Usage: npm run sweep -- [options]            run a sweep (default plan unless --plan/--quick)
       npm run sweep -- plan [--plan F|--quick]  print the resolved plan as YAML
       npm run sweep -- --compare [targets]      sweep the same plan against several servers, one report
       npm run sweep -- report <run> [--compare <runs>]   re-render a run's summary and reports
       npm run sweep -- lab --lambda L --mu M [--servers C] [--duration 60s]
       npm run sweep -- cleanup                  remove what crashed sweeps left in Docker
       npm run sweep -- serve [--port N]         the live page and HTTP API: start, watch and stop sweeps

Options:
  --plan <file>      plan YAML (relative to the current directory)
  --quick            the small plan (resource-sweeps/plans/quick.yaml): minutes, not the workshop
  --resume <run>     continue an interrupted sweep: its folder, or its run id
  --compare [list]   comma-separated targets, each swept with the plan: ${DEFAULT_COMPARE.join(', ')}
                     (the default list); name=<run> reuses a finished run (folder or id) for that
                     target. Writes <run-id>/compare.{json,md,html}; each target's sweep is the run
                     <run-id>-<target> (run the same command again to resume an interrupted one).
                     With report: the other runs (folders or ids) beside this one
  --swarm-init       runtime: swarm on an engine not in swarm mode: let the sweep enter it
                     (docker swarm init --advertise-addr 127.0.0.1) and leave it at the end
                     (or RIGHTSIZE_SWARM_INIT=1); without it such a sweep is refused
  --reports <dir>    where run folders go (default resource-sweeps/reports)
  --run-id <id>      name of the new run's folder (default <time>-<plan name>)
  --serve            also serve the live page and HTTP API while this sweep runs
  --port <n>         port of the live page (default 8089; 0 = any free port)
  --host <addr>      address to bind (default 127.0.0.1); anything else needs --token
  --token <t>        bearer token for starting/stopping load and the event stream
                     (or RIGHTSIZE_SWEEP_TOKEN); at least 16 characters
  --target <url>     default target of ad-hoc loads (POST /swarm; default http://127.0.0.1:8080)
  --stats-url <url>  HAProxy stats CSV to read when no trial stack is up (default http://127.0.0.1:8404/stats;csv)
  -h, --help         this text`;

function fail(message: string, key?: string): never {
  throw new SweepError('SWEEP_ERR_ARGS', message, { ...(key ? { key } : {}), hint: 'npm run sweep -- --help' });
}

function positiveNumber(value: string | undefined, flag: string): number {
  if (value === undefined) fail(`${flag} is required`, flag);
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) fail(`${flag} must be a positive number, got "${value}"`, flag);
  return n;
}

/** `--compare` with no list (last, or followed by another flag) means the default targets. */
function withDefaultCompare(argv: readonly string[]): string[] {
  const args = [...argv];
  const i = args.indexOf('--compare');
  if (i >= 0 && !args.includes('report') && (i === args.length - 1 || (args[i + 1] as string).startsWith('-'))) args.splice(i + 1, 0, DEFAULT_COMPARE.join(','));
  return args;
}

export function parseCliArgs(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: withDefaultCompare(argv),
      allowPositionals: true,
      strict: true,
      options: {
        plan: { type: 'string' },
        quick: { type: 'boolean', default: false },
        resume: { type: 'string' },
        compare: { type: 'string' },
        reports: { type: 'string' },
        'run-id': { type: 'string' },
        lambda: { type: 'string' },
        mu: { type: 'string' },
        servers: { type: 'string' },
        duration: { type: 'string' },
        image: { type: 'string' },
        serve: { type: 'boolean', default: false },
        'swarm-init': { type: 'boolean', default: false },
        port: { type: 'string' },
        host: { type: 'string' },
        token: { type: 'string' },
        target: { type: 'string' },
        'stats-url': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    fail((error as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
  const { values: v, positionals } = parsed;
  if (v.help || positionals[0] === 'help') return { kind: 'help' };
  const sub = positionals[0];
  const only = (allowed: string[], where: string) => {
    const extra = Object.entries(v).filter(([k, val]) => val !== undefined && val !== false && !allowed.includes(k));
    if (extra.length) fail(`--${extra[0]?.[0]} does not apply to ${where}`, `--${extra[0]?.[0]}`);
  };
  const WEB = ['port', 'host', 'token', 'target', 'stats-url'];
  const serveArgs = (): ServeArgs => {
    let port: number | null = null;
    if (v.port !== undefined) {
      port = Number(v.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a whole number from 0 to 65535, got "${v.port}"`, '--port');
    }
    return { host: v.host ?? null, port, token: v.token ?? null, target: v.target ?? null, statsUrl: v['stats-url'] ?? null };
  };
  if (sub === undefined) {
    if (!v.serve) {
      const web = WEB.find((k) => (v as Record<string, unknown>)[k] !== undefined);
      if (web) fail(`--${web} applies to the live page: add --serve (or use \`npm run sweep -- serve\`)`, `--${web}`);
    }
    only(['plan', 'quick', 'resume', 'compare', 'reports', 'run-id', 'serve', 'swarm-init', ...WEB], 'a sweep run');
    if (v.plan && v.quick) fail('--plan and --quick are alternatives: give one', '--quick');
    if (v.resume && (v.plan || v.quick || v['run-id'])) fail('--resume continues a run with the plan it started with: drop --plan/--quick/--run-id', '--resume');
    if (v['run-id'] !== undefined && !/^[A-Za-z0-9][\w.-]*$/.test(v['run-id'])) fail('--run-id may use letters, digits, ".", "_" and "-"', '--run-id');
    if (v.compare !== undefined) {
      if (v.resume) fail('--compare resumes by itself: run the same --compare command with the same --run-id again', '--resume');
      if (v.serve) fail('--compare runs several sweeps one after the other; the live page follows one sweep: drop --serve', '--serve');
      return { kind: 'compare', plan: v.plan ?? null, quick: v.quick ?? false, items: parseCompareList(v.compare), reports: v.reports ?? null, runId: v['run-id'] ?? null, swarmInit: v['swarm-init'] ?? false };
    }
    return { kind: 'run', plan: v.plan ?? null, quick: v.quick ?? false, resume: v.resume ?? null, reports: v.reports ?? null, runId: v['run-id'] ?? null, swarmInit: v['swarm-init'] ?? false, ...(v.serve ? { serve: serveArgs() } : {}) };
  }
  if (positionals.length > (sub === 'report' ? 2 : 1)) fail(`unexpected argument "${positionals[positionals.length - 1]}"`);
  switch (sub) {
    case 'plan':
      only(['plan', 'quick'], '"plan"');
      if (v.plan && v.quick) fail('--plan and --quick are alternatives: give one', '--quick');
      return { kind: 'plan', plan: v.plan ?? null, quick: v.quick ?? false };
    case 'report': {
      only(['compare', 'reports'], '"report"');
      const run = positionals[1];
      if (!run) fail('"report" needs the run to render: npm run sweep -- report <run folder or id>', 'report');
      return { kind: 'report', run, compare: v.compare ?? null, reports: v.reports ?? null };
    }
    case 'lab': {
      only(['lambda', 'mu', 'servers', 'duration', 'image', 'reports'], '"lab"');
      const lambda = positiveNumber(v.lambda, '--lambda');
      const mu = positiveNumber(v.mu, '--mu');
      const servers = v.servers === undefined ? 1 : positiveNumber(v.servers, '--servers');
      if (!Number.isInteger(servers)) fail(`--servers must be a whole number, got "${v.servers}"`, '--servers');
      if (lambda >= servers * mu) fail(`--lambda ${lambda} >= servers x mu = ${servers * mu}: the queue never settles (utilisation >= 1); lower lambda or raise mu/servers`, '--lambda');
      const durationS = v.duration === undefined ? 60 : parseDuration(v.duration);
      if (durationS === null || durationS <= 0 || durationS > 3600) fail(`--duration must be a duration up to 1h like "60s" or "2m", got "${v.duration}"`, '--duration');
      return { kind: 'lab', lambda, mu, servers, durationS, image: v.image ?? 'rightsize-api:latest', reports: v.reports ?? null };
    }
    case 'serve':
      only(['reports', ...WEB], '"serve"');
      return { kind: 'serve', web: serveArgs(), reports: v.reports ?? null };
    case 'cleanup':
      only([], '"cleanup"');
      return { kind: 'cleanup' };
    default:
      return fail(`unknown command "${sub}" (commands: plan, report, lab, serve, cleanup)`);
  }
}
