// The only module that reads process.env. Every variable is parsed once with zod, problems are
// reported all at once (naming the variable), and the result is frozen.
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

// Resolved relative to this file so src/, dist/ and the image (/app/inference-api/dist) all find
// /app/model/artifacts/breast-cancer-gbt through the same relative layout.
export const DEFAULT_MODEL_URI = fileURLToPath(new URL('../../model/artifacts/breast-cancer-gbt', import.meta.url));

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

const flag = (fallback: boolean) =>
  z
    .string()
    .transform((v, ctx) => {
      const s = v.toLowerCase();
      if (TRUE.has(s)) return true;
      if (FALSE.has(s)) return false;
      ctx.addIssue({ code: 'custom', message: 'expected one of on/off, true/false, 1/0' });
      return z.NEVER;
    })
    .default(fallback);

const intSchema = (min: number, max: number) =>
  z.coerce
    .number({ error: 'expected an integer' })
    .int({ error: 'expected an integer' })
    .min(min, { error: `must be >= ${min}` })
    .max(max, { error: `must be <= ${max}` });
const int = (min: number, max: number, fallback: number) => intSchema(min, max).default(fallback);
const optionalInt = (min: number, max: number) => intSchema(min, max).optional();

const num = (min: number, max: number) =>
  z.coerce
    .number({ error: 'expected a number' })
    .refine((n) => Number.isFinite(n), 'expected a finite number')
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

const auto = <T extends z.ZodType>(inner: T) =>
  z.union([z.literal('auto'), inner], { error: 'expected "auto" or a positive integer' }).default('auto');

export const EnvSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: int(0, 65535, 8000),
  LISTEN_BACKLOG: auto(intSchema(1, 65535)),
  MAX_CONNECTIONS: auto(intSchema(1, 10_000_000)),
  REQUEST_TIMEOUT_MS: auto(intSchema(100, 3_600_000)),
  LATENCY_OBJECTIVE_MS: int(1, 600_000, 200),
  REQUEST_CPU_US: num(1, 10_000_000).default(200),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  MODEL_URI: z.string().default(DEFAULT_MODEL_URI),
  MODEL_CACHE_DIR: z.string().optional(),
  MODEL_DOWNLOAD_TIMEOUT_MS: int(100, 3_600_000, 120_000),
  MLFLOW_TRACKING_URI: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as http://127.0.0.1:5000' }).optional(),
  MLFLOW_TRACKING_TOKEN: z.string().optional(),
  MLFLOW_TRACKING_USERNAME: z.string().optional(),
  MLFLOW_TRACKING_PASSWORD: z.string().optional(),
  WARMUP_RUNS: int(0, 10_000, 20),

  PREDICT_MAX_ROWS: int(1, 100_000, 1000),
  BODY_LIMIT_BYTES: int(1024, 1024 ** 3, 1024 * 1024),
  MAX_INFLIGHT: auto(intSchema(1, 1_000_000)),
  RETRY_AFTER_SECONDS: int(0, 3600, 1),

  MICRO_BATCHING: flag(true),
  MICRO_BATCH_MAX_ROWS: int(1, 100_000, 64),
  MICRO_BATCH_MAX_WAIT_MS: num(0, 1000).default(0),

  ORT_INTRA_OP_THREADS: auto(z.coerce.number().int().min(1).max(1024)),
  ORT_INTER_OP_THREADS: int(1, 1024, 1),
  ORT_DISABLE_TELEMETRY: flag(true),
  HEAP_LIMIT_MB: z
    .union([z.literal('auto'), z.literal('off'), z.coerce.number().int().min(16).max(1_048_576)], {
      error: 'expected "auto", "off" or a size in MiB (>= 16)',
    })
    .default('auto'),
  HEAP_FRACTION: num(0.1, 0.95).default(0.75),
  HEAP_YOUNG_MB: int(2, 1024, 12),
  CGROUP_ROOT: z.string().default('/sys/fs/cgroup'),
  NODE_OPTIONS: z.string().default(''),

  SHUTDOWN_DELAY_MS: int(0, 60_000, 0),
  SHUTDOWN_TIMEOUT_MS: int(100, 600_000, 9000),
  SHUTDOWN_IDLE_GRACE_MS: int(0, 60_000, 1000),

  LAB_MODE: z.enum(['off', 'mmc']).default('off'),
  LAB_MU: num(0.001, 1_000_000).optional(),
  LAB_SERVERS: int(1, 100_000, 1),
  LAB_SEED: optionalInt(0, 2 ** 31 - 1),
});

export const ConfigSchema = EnvSchema.superRefine((env, ctx) => {
  if (env.LAB_MODE === 'mmc' && env.LAB_MU === undefined) {
    ctx.addIssue({ code: 'custom', path: ['LAB_MU'], message: 'required when LAB_MODE=mmc (service rate per server, 1/s)' });
  }
  if (env.SHUTDOWN_DELAY_MS >= env.SHUTDOWN_TIMEOUT_MS) {
    ctx.addIssue({ code: 'custom', path: ['SHUTDOWN_DELAY_MS'], message: 'must be smaller than SHUTDOWN_TIMEOUT_MS' });
  }
  if (env.SHUTDOWN_DELAY_MS + env.SHUTDOWN_IDLE_GRACE_MS >= env.SHUTDOWN_TIMEOUT_MS) {
    ctx.addIssue({ code: 'custom', path: ['SHUTDOWN_IDLE_GRACE_MS'], message: 'SHUTDOWN_DELAY_MS + SHUTDOWN_IDLE_GRACE_MS must be smaller than SHUTDOWN_TIMEOUT_MS (the drain needs time to finish)' });
  }
  const user = env.MLFLOW_TRACKING_USERNAME !== undefined;
  if (user !== (env.MLFLOW_TRACKING_PASSWORD !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['MLFLOW_TRACKING_PASSWORD'], message: 'set both MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or neither' });
  }
}).transform((env) => ({
  host: env.HOST,
  port: env.PORT,
  /** 'auto' values follow the CPU limit and the objective (overload.ts: deriveOverloadLimits) */
  overload: {
    maxInflight: env.MAX_INFLIGHT,
    listenBacklog: env.LISTEN_BACKLOG,
    maxConnections: env.MAX_CONNECTIONS,
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    latencyObjectiveMs: env.LATENCY_OBJECTIVE_MS,
    requestCpuUs: env.REQUEST_CPU_US,
  },
  logLevel: env.LOG_LEVEL,
  model: {
    uri: env.MODEL_URI,
    cacheDir: env.MODEL_CACHE_DIR,
    downloadTimeoutMs: env.MODEL_DOWNLOAD_TIMEOUT_MS,
    warmupRuns: env.WARMUP_RUNS,
  },
  mlflow: {
    trackingUri: env.MLFLOW_TRACKING_URI,
    token: env.MLFLOW_TRACKING_TOKEN,
    username: env.MLFLOW_TRACKING_USERNAME,
    password: env.MLFLOW_TRACKING_PASSWORD,
  },
  limits: {
    maxRows: env.PREDICT_MAX_ROWS,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    retryAfterSeconds: env.RETRY_AFTER_SECONDS,
  },
  batching: {
    enabled: env.MICRO_BATCHING && env.MICRO_BATCH_MAX_ROWS > 1,
    maxRows: env.MICRO_BATCH_MAX_ROWS,
    maxWaitMs: env.MICRO_BATCH_MAX_WAIT_MS,
  },
  runtime: {
    intraOpThreads: env.ORT_INTRA_OP_THREADS,
    interOpThreads: env.ORT_INTER_OP_THREADS,
    ortTelemetryDisabled: env.ORT_DISABLE_TELEMETRY,
    heapLimitMb: env.HEAP_LIMIT_MB,
    heapFraction: env.HEAP_FRACTION,
    youngGenerationMb: env.HEAP_YOUNG_MB,
    cgroupRoot: env.CGROUP_ROOT,
    nodeOptions: env.NODE_OPTIONS,
  },
  shutdown: { delayMs: env.SHUTDOWN_DELAY_MS, timeoutMs: env.SHUTDOWN_TIMEOUT_MS, idleGraceMs: env.SHUTDOWN_IDLE_GRACE_MS },
  lab: env.LAB_MODE === 'mmc' ? { mode: 'mmc' as const, mu: env.LAB_MU ?? 1, servers: env.LAB_SERVERS, seed: env.LAB_SEED } : null,
}));

export type Config = z.output<typeof ConfigSchema>;

export type ConfigResult = { ok: true; config: Readonly<Config> } | { ok: false; problems: string[] };

/** Pure: parse an environment-like record. Empty strings count as unset (compose passes them). */
export function parseConfig(env: Record<string, string | undefined>): ConfigResult {
  const known = Object.keys(EnvSchema.shape);
  const input: Record<string, string> = {};
  for (const key of known) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') input[key] = value.trim();
  }
  const parsed = ConfigSchema.safeParse(input);
  if (parsed.success) return { ok: true, config: deepFreeze(parsed.data) };
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'environment');
    const got = input[name] === undefined ? '' : ` (got "${input[name]}")`;
    return `${name}: ${issue.message}${got}`;
  });
  return { ok: false, problems: [...new Set(problems)] };
}

/**
 * ONNX Runtime's Linux library (1.29+) uploads usage telemetry unless ORT_DISABLE_TELEMETRY=1,
 * and reads that variable itself when it loads. Serving a model must not phone home by default,
 * so the parsed choice is written back before the library is imported (the worker thread shares
 * this process's environment).
 */
export function applyLibraryEnvironment(config: Readonly<Config>): void {
  process.env.ORT_DISABLE_TELEMETRY = config.runtime.ortTelemetryDisabled ? '1' : '0';
}

/** The process adapter: reads process.env once; on bad values prints every problem and exits 2. */
export function loadConfig(): Readonly<Config> {
  const result = parseConfig(process.env);
  if (result.ok) return result.config;
  process.stderr.write(
    `rightsize-api: invalid configuration (${result.problems.length} problem(s)); see inference-api/README.md#configuration\n` +
      result.problems.map((p) => `  - ${p}\n`).join(''),
  );
  process.exit(2);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
