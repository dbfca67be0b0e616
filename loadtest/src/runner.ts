/**
 * One load run, as stages: validate -> guard the target -> start the engine -> watch it
 * (progress, generator samples, a hard deadline) -> build and validate the summary -> write it.
 * The run returns data; printing is the caller's business (see progress.ts).
 *
 *   const { summary, summaryPath } = await runLoad({ target: 'http://127.0.0.1:8000', schedule: { maxUsers: 1000 } });
 *
 * Interrupting (AbortSignal, Ctrl-C in the CLI) asks the engine to stop; it still writes what
 * it measured, and the summary marks the run as aborted. Generator samples are appended to the
 * run folder as they come, so nothing measured is lost even if the engine result is.
 */
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createDocker, OWNER_LABEL, type Docker } from '@rightsize/compose/docker';
import { buildSchedule, type StepSchedule } from '../k6/lib/schedule.js';
import { buildSummary } from './build-summary.js';
import { LoadError } from './errors.js';
import type { LoadEvent, OnLoadEvent } from './events.js';
import { createNetworkFacts } from './engines/docker-facts.js';
import { chooseRuntime, launchEngine } from './engines/launch.js';
import { createLineHandler } from './engines/lines.js';
import { watchEngine } from './engines/watch.js';
import { DEFAULT_HEALTH_RULES, type GeneratorSample } from './generator-health.js';
import { parseLoadOptions, type LoadOptions, type LoadOptionsInput } from './options.js';
import { DEFAULT_PAYLOADS, makeRunId, resultsRoot } from './paths.js';
import { parseRawResult } from './raw-schema.js';
import type { LoadSummary } from './summary-schema.js';
import { verifyTarget } from './target-guard.js';

export interface RunLoadHooks {
  signal?: AbortSignal;
  onEvent?: OnLoadEvent;
  /** Docker adapter (tests and the sweep pass theirs); default: created when an engine answers */
  docker?: Docker | null;
}

export interface LoadRunResult {
  runId: string;
  outDir: string;
  summaryPath: string;
  summary: LoadSummary;
  engineExitCode: number | null;
}

export async function runLoad(input: LoadOptionsInput, hooks: RunLoadHooks = {}): Promise<LoadRunResult> {
  const options = parseLoadOptions(input);
  const emit = (e: LoadEvent) => hooks.onEvent?.(e);
  const schedule = scheduleFor(options);
  const payloads = await checkPayloads(options.payloads);
  const docker = hooks.docker !== undefined ? hooks.docker : await dockerIfAvailable();
  const target = await verifyTarget({
    url: options.target,
    network: options.generator.network,
    networkOwner: options.generator.networkOwner,
    ownerLabel: OWNER_LABEL,
    facts: docker ? createNetworkFacts(docker) : undefined,
  });
  const runtime = await chooseRuntime({ options, target, docker });

  const runId = options.runId ?? makeRunId(options.engine, options.scenario);
  const outDir = options.outDir ? path.resolve(process.cwd(), options.outDir) : path.join(resultsRoot(), runId);
  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, 'options.json'), `${JSON.stringify(options, null, 2)}\n`);
  const samplesFile = path.join(outDir, 'samples.jsonl');
  const logFile = path.join(outDir, 'engine.log');
  const samples: GeneratorSample[] = [];
  let writes = Promise.resolve();
  const persist = (file: string, text: string) => {
    writes = writes.then(() => appendFile(file, text)).catch(() => undefined);
  };

  const maxUsers = Math.max(...schedule.steps.map((s) => s.users ?? s.target));
  // VU initialisation grows with the pool (about 1 s per 1,000 VUs measured here), on top of the grace
  const deadlineS = schedule.durationS + options.graceS + options.requestTimeoutS + maxUsers / 1000;
  const lines = createLineHandler(options.engine, emit);
  const launched = await launchEngine(
    {
      options,
      schedule,
      target,
      outDir,
      payloads,
      // the caller's owner label when it gave one, so its clean-up by label also finds the generator
      owner: options.generator.networkOwner ?? `rs-load-${runId}`.toLowerCase(),
      namePrefix: `rs-load-${runId}`.toLowerCase(),
      docker,
      onLine: (line) => {
        persist(logFile, `${line}\n`);
        lines.onLine(line);
      },
      onSample: (s) => {
        samples.push(s);
        persist(samplesFile, `${JSON.stringify(s)}\n`);
      },
    },
    runtime,
  );
  emit({ type: 'start', runId, outDir, engine: options.engine, runtime: launched.runtime, scenario: options.scenario, model: schedule.model, steps: schedule.steps, deadlineS });
  const watcher = watchEngine({ engine: launched, lines, schedule, deadlineS, signal: hooks.signal, emit, latestSample: () => samples[samples.length - 1] ?? null });

  let exitCode: number | null;
  try {
    exitCode = await launched.done;
  } finally {
    watcher.stop();
    await launched.sampler.stop();
    await launched.cleanup().catch(() => undefined);
    await writes;
  }
  const interrupted = watcher.stopReason();
  const raw = await readRaw(launched.rawPath, exitCode, logFile, interrupted);
  const summary = buildSummary({
    raw,
    samples,
    engineVersion: raw.engine_version ?? launched.engineVersion,
    fallbackT0Ms: lines.t0Ms() ?? Date.now() - raw.test_run_duration_ms,
    rules: options.health,
    interrupted,
  });
  const summaryPath = path.join(outDir, 'summary.json');
  await writeFile(`${summaryPath}.tmp`, `${JSON.stringify(summary, null, 2)}\n`);
  await rename(`${summaryPath}.tmp`, summaryPath);
  emit({ type: 'end', summary, summaryPath });
  return { runId, outDir, summaryPath, summary, engineExitCode: exitCode };
}

/**
 * An engine's raw result written outside the runner (Locust by hand, its compose file, k6 run
 * directly) -> summary.json next to it. No generator samples exist then, so generator health
 * has no CPU or memory, only what the engine itself counted (dropped iterations, achieved rate).
 */
export async function convertRaw(rawFile: string, rules = DEFAULT_HEALTH_RULES): Promise<{ summary: LoadSummary; summaryPath: string }> {
  let text: string;
  try {
    text = await readFile(rawFile, 'utf8');
  } catch (err) {
    throw new LoadError('LOAD_ERR_BAD_RESULT', `${rawFile}: cannot read: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new LoadError('LOAD_ERR_BAD_RESULT', `${rawFile}: not JSON`);
  }
  const raw = parseRawResult(doc, rawFile);
  const summary = buildSummary({ raw, samples: [], engineVersion: raw.engine_version ?? 'unknown', fallbackT0Ms: Date.now() - raw.test_run_duration_ms, rules, interrupted: null });
  const summaryPath = path.join(path.dirname(rawFile), 'summary.json');
  await writeFile(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  return { summary, summaryPath };
}

function scheduleFor(options: Readonly<LoadOptions>): StepSchedule {
  try {
    return buildSchedule({ scenario: options.scenario, ...options.schedule });
  } catch (err) {
    throw new LoadError('LOAD_ERR_BAD_OPTION', `schedule: ${(err as Error).message}`);
  }
}

/** The payloads file must hold rows keyed by the model's features; checked before any engine starts. */
async function checkPayloads(given: string | undefined): Promise<string | null> {
  const file = given ? path.resolve(process.cwd(), given) : DEFAULT_PAYLOADS;
  let doc: { features?: unknown; rows?: unknown };
  try {
    doc = JSON.parse(await readFile(file, 'utf8')) as typeof doc;
  } catch (err) {
    const hint = given ? '' : ' (model/ exports it: npm run model:train)';
    throw new LoadError('LOAD_ERR_PAYLOADS', `${file}: cannot read payloads: ${(err as Error).message}${hint}`);
  }
  if (!Array.isArray(doc.features) || !Array.isArray(doc.rows) || doc.rows.length === 0) {
    throw new LoadError('LOAD_ERR_PAYLOADS', `${file}: expected {"model", "features": [...], "rows": [{feature: value}, ...]} with at least one row`);
  }
  return given ? file : null;
}

async function dockerIfAvailable(): Promise<Docker | null> {
  const docker = createDocker();
  try {
    await docker.serverVersion(5000);
    return docker;
  } catch {
    return null;
  }
}

async function readRaw(file: string, exitCode: number | null, logFile: string, interrupted: string | null) {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-15).join('\n');
    const code = interrupted?.startsWith('deadline') ? 'LOAD_ERR_DEADLINE' : 'LOAD_ERR_ENGINE_FAILED';
    throw new LoadError(code, `the engine exited (${exitCode ?? 'killed'}) without writing ${file}${interrupted ? ` after: ${interrupted}` : ''}; its last output:\n${tail}`);
  }
  return parseRawResult(JSON.parse(text), file);
}

