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
 *
 * `generators: N` splits the run across N instances of the engine (the pacer), each in its own
 * container or process with its own folder (`gen-<i>/`: its raw result, samples, log and own
 * summary), each offering 1/N of every rate from one shared start time; the run's summary is
 * their exact merge (merge-generators.ts).
 */
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createDocker, OWNER_LABEL, type Docker } from '@rightsize/compose/docker';
import { buildSchedule, type StepSchedule } from '../k6/lib/schedule.js';
import { buildSummary } from './build-summary.js';
import { LoadError } from './errors.js';
import type { LoadEvent, OnLoadEvent } from './events.js';
import { createNetworkFacts } from './engines/docker-facts.js';
import { combineLines, launchGroup } from './engines/generator-group.js';
import { chooseRuntime, launchEngine } from './engines/launch.js';
import { createLineHandler, type LineHandler } from './engines/lines.js';
import { watchEngine } from './engines/watch.js';
import { DEFAULT_HEALTH_RULES, type GeneratorSample } from './generator-health.js';
import { generatorName, mergeGeneratorRuns, type InstanceRun } from './merge-generators.js';
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
  let writes = Promise.resolve();
  const persist = (file: string, text: string) => {
    writes = writes.then(() => appendFile(file, text)).catch(() => undefined);
  };

  // One generator writes into the run folder; a split run's instance i into <outDir>/gen-<i>/.
  const count = options.generators;
  const slots = await Promise.all(Array.from({ length: count }, (_, index) => openSlot(outDir, index, count, createLineHandler(options.engine, emit))));
  const allSamples: GeneratorSample[] = [];
  // A split run's instances start their schedules together, once each had time to start.
  const leadMs = count === 1 ? 0 : ALIGN_LEAD_MS + ALIGN_LEAD_PER_INSTANCE_MS * count;
  const maxUsers = Math.max(...schedule.steps.map((s) => s.users ?? s.target));
  // VU initialisation grows with the pool (about 1 s per 1,000 VUs measured here), on top of the grace
  const deadlineS = schedule.durationS + options.graceS + options.requestTimeoutS + maxUsers / 1000 + leadMs / 1000;
  const startAtMs = Date.now() + leadMs;
  // the caller's owner label when it gave one, so its clean-up by label also finds the generator
  const owner = options.generator.networkOwner ?? `rs-load-${runId}`.toLowerCase();
  const namePrefix = `rs-load-${runId}`.toLowerCase();
  const group = await launchGroup(
    slots.map((slot) => () =>
      launchEngine(
        {
          options,
          schedule,
          target,
          outDir: slot.dir,
          payloads,
          owner,
          namePrefix: count === 1 ? namePrefix : `${namePrefix}-g${slot.index}`,
          docker,
          share: count === 1 ? null : { index: slot.index, count, startAtMs },
          onLine: (line) => {
            persist(slot.logFile, `${line}\n`);
            slot.lines.onLine(line);
          },
          onSample: (s) => {
            slot.samples.push(s);
            allSamples.push(s);
            persist(slot.samplesFile, `${JSON.stringify(s)}\n`);
          },
        },
        runtime,
      ),
    ),
    {
      scheduleEndMs: count === 1 ? null : startAtMs + schedule.durationS * 1000,
      onEarlyEnd: (i) => emit({ type: 'log', level: 'info', message: `${generatorName(i, count)} ended before the schedule's end: stopping the others` }),
    },
  );
  const runtimeUsed = group.engines[0]!.runtime;
  emit({ type: 'start', runId, outDir, engine: options.engine, runtime: runtimeUsed, scenario: options.scenario, model: schedule.model, steps: schedule.steps, deadlineS });
  const lines = combineLines(slots.map((s) => s.lines));
  const watcher = watchEngine({ engine: group.control, lines, schedule, deadlineS, signal: hooks.signal, emit, latestSample: () => allSamples[allSamples.length - 1] ?? null });

  let exitCodes: (number | null)[];
  try {
    exitCodes = await group.done;
  } finally {
    watcher.stop();
    await group.stopSamplers();
    await group.cleanup();
    await writes;
  }
  const interrupted = watcher.stopReason();
  const settled = await Promise.allSettled(
    slots.map(async (slot, i) => {
      const engine = group.engines[i]!;
      const by = group.stoppedBy(i);
      const stoppedWith = by === null ? null : `stopped with ${generatorName(by, count)}, which ended before the schedule's end`;
      const label = count === 1 ? '' : `${generatorName(i, count)}: `;
      const raw = await readRaw(engine.rawPath, exitCodes[i] ?? null, slot.logFile, interrupted ?? stoppedWith, label);
      // an instance that broke the objective itself keeps its own reason, even if the group's stop reached it after
      const stoppedByGroup = stoppedWith !== null && !raw.abort;
      const why = interrupted ?? (stoppedByGroup ? stoppedWith : null);
      const summary = buildSummary({
        raw,
        samples: slot.samples,
        engineVersion: raw.engine_version ?? engine.engineVersion,
        fallbackT0Ms: slot.lines.t0Ms() ?? Date.now() - raw.test_run_duration_ms,
        rules: options.health,
        interrupted: why,
      });
      if (count > 1) await writeJson(path.join(slot.dir, 'summary.json'), summary);
      return { raw, summary, stoppedByGroup };
    }),
  );
  // an instance that failed on its own says more than the ones the group stopped because of it
  const failed = settled.flatMap((r, i) => (r.status === 'rejected' ? [{ i, reason: r.reason as unknown }] : []));
  if (failed.length > 0) throw (failed.find(({ i }) => group.stoppedBy(i) === null) ?? failed[0]!).reason;
  const runs = settled.map((r) => (r as PromiseFulfilledResult<InstanceRun>).value);
  const summary = count === 1 ? runs[0]!.summary : mergeGeneratorRuns({ schedule, runs });
  const summaryPath = path.join(outDir, 'summary.json');
  await writeJson(summaryPath, summary);
  emit({ type: 'end', summary, summaryPath });
  return { runId, outDir, summaryPath, summary, engineExitCode: exitCodes.find((c) => c !== 0) ?? 0 };
}

/** A container or process takes about a second to start here (more on a busy machine); the shared start leaves that for each. */
const ALIGN_LEAD_MS = 2000;
const ALIGN_LEAD_PER_INSTANCE_MS = 1000;

interface Slot {
  index: number;
  dir: string;
  logFile: string;
  samplesFile: string;
  samples: GeneratorSample[];
  lines: LineHandler;
}

async function openSlot(outDir: string, index: number, count: number, lines: LineHandler): Promise<Slot> {
  const dir = count === 1 ? outDir : path.join(outDir, `gen-${index}`);
  await mkdir(dir, { recursive: true });
  return { index, dir, logFile: path.join(dir, 'engine.log'), samplesFile: path.join(dir, 'samples.jsonl'), samples: [], lines };
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
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

async function readRaw(file: string, exitCode: number | null, logFile: string, interrupted: string | null, label = '') {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-15).join('\n');
    const code = interrupted?.startsWith('deadline') ? 'LOAD_ERR_DEADLINE' : 'LOAD_ERR_ENGINE_FAILED';
    throw new LoadError(code, `${label}the engine exited (${exitCode ?? 'killed'}) without writing ${file}${interrupted ? ` after: ${interrupted}` : ''}; its last output:\n${tail}`);
  }
  return parseRawResult(JSON.parse(text), file);
}

