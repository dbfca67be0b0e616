/**
 * `npm run load -- ...` flags -> validated LoadOptions. Every flag maps to one option key, so
 * a validation problem is reported with the flag the user typed (`--max-users: ...`).
 */
import { parseArgs } from 'node:util';
import { formatIssues } from '@rightsize/compose/kit/issues';
import { LoadError } from './errors.js';
import { LoadOptionsSchema, type LoadOptions } from './options.js';

type Kind = 'string' | 'int' | 'number' | 'list';
/** flag -> [option path, kind] */
const FLAGS: Record<string, [string, Kind]> = {
  engine: ['engine', 'string'],
  scenario: ['scenario', 'string'],
  target: ['target', 'string'],
  protocol: ['protocol', 'string'],
  path: ['path', 'string'],
  'start-users': ['schedule.startUsers', 'int'],
  'max-users': ['schedule.maxUsers', 'int'],
  'step-users': ['schedule.stepUsers', 'int'],
  rates: ['schedule.rates', 'list'],
  ramp: ['schedule.rampS', 'number'],
  hold: ['schedule.holdS', 'number'],
  'think-min': ['schedule.thinkMinS', 'number'],
  'think-max': ['schedule.thinkMaxS', 'number'],
  p95: ['objective.p95Ms', 'number'],
  p99: ['objective.p99Ms', 'number'],
  'max-error-rate': ['objective.maxErrorRate', 'number'],
  runtime: ['generator.runtime', 'string'],
  'generator-cpus': ['generator.cpus', 'number'],
  'generator-memory': ['generator.memory', 'string'],
  'generator-cpuset': ['generator.cpuset', 'string'],
  image: ['generator.image', 'string'],
  network: ['generator.network', 'string'],
  'network-owner': ['generator.networkOwner', 'string'],
  workers: ['generator.workers', 'int'],
  generators: ['generators', 'int'],
  timeout: ['requestTimeoutS', 'number'],
  'check-every': ['checkEvery', 'int'],
  'vu-budget': ['vuBudgetS', 'number'],
  'slo-warmup': ['sloWarmupS', 'number'],
  'max-generator-cpu': ['health.maxCpuPct', 'number'],
  'max-generator-cpu-wait': ['health.maxCpuWaitPct', 'number'],
  'max-send-lag': ['health.maxSendLagPct', 'number'],
  payloads: ['payloads', 'string'],
  out: ['outDir', 'string'],
  'run-id': ['runId', 'string'],
  grace: ['graceS', 'number'],
};
const PATH_TO_FLAG = new Map(Object.entries(FLAGS).map(([flag, [p]]) => [p, `--${flag}`]));

export interface CliRequest {
  help: boolean;
  json: boolean;
  /** print an existing summary instead of running */
  show: string | null;
  /** turn an engine's raw result (e.g. from the Locust compose file) into a summary */
  convert: string | null;
  options: Readonly<LoadOptions> | null;
}

export function parseCliArgs(argv: string[]): CliRequest {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(Object.keys(FLAGS).map((f) => [f, { type: 'string' as const }])),
        help: { type: 'boolean', short: 'h' },
        json: { type: 'boolean' },
        show: { type: 'string' },
        convert: { type: 'string' },
      },
    });
  } catch (err) {
    throw new LoadError('LOAD_ERR_BAD_OPTION', `${(err as Error).message}. See npm run load -- --help`);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  if (v.help || typeof v.show === 'string' || typeof v.convert === 'string') {
    return { help: Boolean(v.help), json: Boolean(v.json), show: (v.show as string) ?? null, convert: (v.convert as string) ?? null, options: null };
  }
  const input: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [flag, [key, kind]] of Object.entries(FLAGS)) {
    const raw = v[flag];
    if (typeof raw !== 'string') continue;
    const value = convert(raw, kind);
    if (value === undefined) problems.push(`--${flag}: "${raw}" is not ${kind === 'int' ? 'a whole number' : kind === 'list' ? 'a comma-separated list of numbers' : 'a number'}`);
    else setPath(input, key, value);
  }
  if (typeof v.target !== 'string') problems.push('--target: required (the API base URL, e.g. http://127.0.0.1:8000)');
  if (problems.length === 0) {
    const result = LoadOptionsSchema.safeParse(input);
    if (result.success) return { help: false, json: Boolean(v.json), show: null, convert: null, options: Object.freeze(result.data) };
    problems.push(...formatIssues(result.error.issues, { rename: (key) => PATH_TO_FLAG.get(key) ?? key }));
  }
  throw new LoadError('LOAD_ERR_BAD_OPTION', `bad arguments:\n  ${problems.join('\n  ')}\nSee npm run load -- --help`, { problems });
}

function convert(raw: string, kind: Kind): unknown {
  if (kind === 'string') return raw;
  if (kind === 'list') {
    const parts = raw.split(',').map((p) => Number(p.trim()));
    return parts.length > 0 && parts.every(Number.isFinite) ? parts : undefined;
  }
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || (kind === 'int' && !Number.isInteger(n))) return undefined;
  return n;
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1]!] = value;
}

export const HELP = `npm run load -- --target <url> [options]

Runs a stepped load against the API and writes a per-step summary (rightsize.load-summary/v1).
Load goes only to loopback or to a service on a Docker network this run created.

  --engine k6|locust|pacer    load generator (default k6; Locust runs the steps scenario,
                              the pacer arrival and poisson: the cheapest per request)
  --scenario steps|arrival|poisson
                              steps: closed model, users with think time (the workshop)
                              arrival: the same steps as an open model (arrival rates)
                              poisson: Poisson arrivals at each rate of --rates
  --target URL                API base URL, e.g. http://127.0.0.1:8000 (required)
  --protocol rightsize|mlflow|fastapi
                              rightsize: POST /predict with one row (default)
                              mlflow: POST /invocations with {"dataframe_records": [row]}
                              (mlflow models serve, or our API's /invocations)
                              fastapi: POST /predict with one row, answered by one flat
                              {label, probability_<class>} record (the rightsize-fastapi image)
  --path PATH                 the prediction route (default from --protocol: /predict,
                              /invocations, /predict)
  --start-users N --max-users N --step-users N     default 500 / 10000 / 500
  --ramp S --hold S           each step's linear ramp and hold (default 10 / 60)
  --think-min S --think-max S think time between a user's requests (default 1 / 2.5)
  --rates R1,R2               poisson: requests per second, one step each
  --p95 MS --p99 MS --max-error-rate F   objective; a step that breaks it ends the run
  --slo-warmup S              seconds into each hold before latency counts (default min(5, hold/3))
  --timeout S                 request timeout (default 10)
  --check-every N             check one response in N against the contract (default 20, 0 = never)
  --vu-budget S               arrival: latency each pre-allocated VU budgets for (default 0.5)
  --max-generator-cpu PCT     generator CPU (% of its share) above which a step is invalid (default 80)
  --max-generator-cpu-wait PCT  % of runnable time waiting for a CPU above which a step is invalid (default: off, reported only)
  --max-send-lag PCT          pacer: p95 of its send lag above this % of the latency objective makes a step invalid (default 10)
  --runtime auto|local|docker k6/Locust in its container (auto if the image exists) or local
  --generator-cpus N --generator-memory 6g --generator-cpuset auto|none|LIST
  --image REF                 generator image (default grafana/k6:1.8.1 / locustio/locust:2.47.0 /
                              node:24-bookworm-slim for the pacer)
  --network NAME --network-owner OWNER   the run's Docker network (for service targets)
  --workers N                 Locust distributed mode: N worker processes/containers
  --generators N              pacer: split the run across N instances (containers or processes,
                              each with the generator's CPU and memory), each offering 1/N of
                              every rate from one shared start; per-step results merged exactly
                              (counts summed, percentiles from merged histograms), health judged
                              per instance; each instance's files in <out>/gen-<i>/ (default 1)
  --payloads FILE             request rows (default loadtest/data/payloads.json)
  --out DIR                   run folder (default loadtest/results/<run id>)
  --grace S                   seconds allowed beyond the plan before the run is stopped (default 60)
  --json                      print the summary JSON instead of the table
  --show FILE                 print the table of an existing summary.json
  --convert FILE              turn an engine's raw.json (e.g. from Locust run by hand or with
                              loadtest/locust/docker-compose.locust.yml) into summary.json next to it
`;
