/**
 * `npm run sweep`: the thin shell over the sweep engine. Parses arguments, builds the sweep with
 * the one sweep factory on the real adapters (src/adapters/docker-sweep-ports.ts), turns Ctrl-C
 * into an abort (the current trial is torn down, finished trials are kept; a second Ctrl-C quits
 * at once), prints progress from the engine's events, and maps errors to one clear message and
 * an exit code.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { createDocker } from '@rightsize/compose/docker';
import { createDockerSweepPorts, requireDockerEngine } from './adapters/docker-sweep-ports.js';
import { createDockerWebPorts } from './adapters/docker-web-ports.js';
import { createSweepOwner, removeStaleSweeps } from './adapters/stale-cleanup.js';
import { parseCliArgs, USAGE, type Command } from './cli-args.js';
import { getSweepEnv } from './config.js';
import { isSearchComplete } from './engine/replay.js';
import { createSweepFactory } from './engine/sweep-factory.js';
import { isSweepError } from './errors.js';
import { runLab, renderLabMarkdown } from './lab/run-lab.js';
import { SweepError } from './errors.js';
import { COMPARE_TARGETS, planForTarget } from './plan/compare-targets.js';
import { renderComparisonHtml, renderComparisonMarkdown } from './report/compare.js';
import { buildCompareDoc, type CompareEntry } from './summary/compare-doc.js';
import { writeReports } from './report/write-reports.js';
import { createRunStore, type RunStore } from './results/run-store.js';
import { locateRun, makeRunId, reportsRoot, resolvePlan, resolveRunDir } from './run-setup.js';
import { deriveSummary } from './summary/derive-summary.js';
import { SummarySchema, type Summary } from './summary/summary-schema.js';
import { attachTerminalProgress } from './terminal/progress.js';
import { attachWeb, serveCommand } from './web/cli-serve.js';
import { webOptionsFromArgs } from './web/web-options.js';

const out = process.stdout;

async function summaryOf(store: RunStore): Promise<Summary> {
  const text = await readFile(store.resolve('summary.json'), 'utf8').catch(() => null);
  if (text) return SummarySchema.parse(JSON.parse(text));
  const meta = await store.readMeta();
  const { records } = await store.read();
  return deriveSummary({ meta, records, complete: await isSearchComplete(meta, records), now: new Date() });
}

/** A reused run's name in a comparison: the comparison target its image is, else its run id. */
function entryName(summary: Summary, taken: ReadonlySet<string>): string {
  const preset = Object.values(COMPARE_TARGETS).find((t) => t.target.image === summary.plan.target.image);
  return preset && !taken.has(preset.name) ? preset.name : summary.run_id;
}

/** compare.json, compare.md and compare.html (under `base`) in `store`; returns the files. */
async function writeComparison(store: RunStore, base: string, id: string, entries: CompareEntry[], reference: string): Promise<string[]> {
  const doc = buildCompareDoc({ id, entries, reference });
  const summaries = new Map(entries.map((e) => [e.name, e.summary]));
  return [
    await store.writeFile(`${base}.json`, `${JSON.stringify(doc, null, 2)}\n`),
    await store.writeFile(`${base}.md`, renderComparisonMarkdown(doc, summaries)),
    await store.writeFile(`${base}.html`, renderComparisonHtml(doc, summaries)),
  ];
}

/** `report <run> --compare a,b`: the other runs beside this one, in compare-<others>.{json,md,html} of this run. */
async function writeCompare(store: RunStore, summary: Summary, others: string, root: string): Promise<string[]> {
  const entries: CompareEntry[] = [{ name: entryName(summary, new Set()), summary, reused: true }];
  for (const other of others.split(',').map((o) => o.trim()).filter(Boolean)) {
    const s = await summaryOf(createRunStore({ dir: await resolveRunDir(other, root) }));
    entries.push({ name: entryName(s, new Set(entries.map((e) => e.name))), summary: s, reused: true });
  }
  const name = `compare-${entries.slice(1).map((e) => e.summary.run_id).join('-')}`.slice(0, 120);
  return writeComparison(store, name, summary.run_id, entries, entries[0]?.name ?? '');
}

/**
 * `--compare`: the same plan against each target, one sweep after the other (the machine has room
 * for one), then one report. Each target's sweep is its own run folder <id>-<target>; running the
 * command again with the same --run-id resumes an interrupted one and reuses finished ones, so a
 * stop loses nothing measured. The comparison is rewritten after every target.
 */
async function runCompare(cmd: Extract<Command, { kind: 'compare' }>): Promise<number> {
  const root = reportsRoot(cmd.reports);
  const { plan, source } = await resolvePlan(cmd);
  const id = cmd.runId ?? makeRunId(`compare-${plan.name}`);
  const store = createRunStore({ dir: path.join(root, id) });
  const reference = cmd.items.find((i) => i.name === 'rightsize')?.name ?? (cmd.items[0]?.name as string);
  // everything that can be refused is refused before the first trial: reused runs, images
  const reused = new Map<string, string>();
  for (const item of cmd.items) if (item.run) reused.set(item.name, await resolveRunDir(item.run, root));
  const docker = createDocker();
  const ports = createDockerSweepPorts({ docker, ...(cmd.swarmInit ? { swarmInit: true } : {}) });
  await ports.requireEngine();
  for (const item of cmd.items) {
    if (item.run || !item.preset) continue;
    const image = item.preset.target.image;
    if (!(await ports.imagePresent(image))) throw new SweepError('SWEEP_ERR_STACK_UP', `image ${image} (compare target ${item.name}) is not present`, { key: '--compare', hint: 'build it with `npm run images -- --offline` (no registry is reachable to pull from), or drop the target from --compare' });
  }
  const factory = createSweepFactory({ ports, imageKey: 'target.image' });
  const controller = interruptible();
  const entries: CompareEntry[] = [];
  let files: string[] = [];
  let stopped = false;
  for (const item of cmd.items) {
    const reusedDir = reused.get(item.name);
    if (reusedDir) {
      entries.push({ name: item.name, summary: await summaryOf(createRunStore({ dir: reusedDir })), reused: true });
      continue;
    }
    if (!item.preset) continue;
    const runId = `${id}-${item.name}`;
    const dir = path.join(root, runId);
    const exists = (await stat(dir).catch(() => null))?.isDirectory() ?? false;
    out.write(`\n== ${item.name}: ${item.preset.target.image} (${exists ? 'resumed' : 'new'} run ${runId})\n`);
    const prepared = await factory(exists ? { kind: 'resume', dir } : { kind: 'new', plan: planForTarget(plan, item.preset), source: `${source}, compare target ${item.name}`, runId, dir }, controller.signal);
    const detach = attachTerminalProgress(prepared.sweep.events, { out, live: Boolean(out.isTTY) && !getSweepEnv().NO_COLOR });
    try {
      const result = await prepared.sweep.run();
      entries.push({ name: item.name, summary: result.summary, reused: false });
      stopped = result.stopped;
    } finally {
      detach();
      await prepared.dispose().catch(() => undefined);
    }
    files = await writeComparison(store, 'compare', id, entries, reference);
    if (stopped) break;
  }
  if (entries.length > 0) files = await writeComparison(store, 'compare', id, entries, reference);
  const doc = buildCompareDoc({ id, entries, reference });
  out.write(`\n${doc.findings.join('\n')}\n\nreports:\n${files.map((f) => `  ${path.relative(process.cwd(), f)}`).join('\n')}\n`);
  if (stopped) out.write(`\nstopped; continue with the same command and --run-id ${id}\n`);
  return stopped ? 130 : 0;
}

function interruptible(controller = new AbortController()): AbortController {
  process.on('SIGINT', () => {
    if (controller.signal.aborted) {
      process.stderr.write('\nsecond Ctrl-C: quitting now; what is left in Docker is removed at the next start (npm run sweep -- cleanup)\n');
      process.exit(130);
    }
    process.stderr.write('\nstopping: tearing down the current trial, keeping every finished one (Ctrl-C again to quit at once)\n');
    controller.abort(new Error('Ctrl-C'));
  });
  process.on('SIGTERM', () => controller.abort(new Error('SIGTERM')));
  return controller;
}

async function runSweep(cmd: Extract<Command, { kind: 'run' }>): Promise<number> {
  const root = reportsRoot(cmd.reports);
  // bad live page options, a bad plan or folder are reported before anything touches Docker
  const webOptions = cmd.serve ? webOptionsFromArgs(cmd.serve, root) : null;
  const start = await locateRun(cmd.resume ? { kind: 'resume', run: cmd.resume } : { kind: 'new', ...(await resolvePlan(cmd)), runId: cmd.runId }, root);
  const docker = createDocker();
  const controller = new AbortController();
  const prepared = await createSweepFactory({ ports: createDockerSweepPorts({ docker, ...(cmd.swarmInit ? { swarmInit: true } : {}) }), imageKey: 'target.image' })(start, controller.signal);
  interruptible(controller);
  const { sweep, dir } = prepared;
  const detach = attachTerminalProgress(sweep.events, { out, live: Boolean(out.isTTY) && !getSweepEnv().NO_COLOR });
  const web = webOptions ? await attachWeb({ options: webOptions, ports: createDockerWebPorts({ options: webOptions, docker }), prepared, abort: controller, out }) : null;
  try {
    const running = sweep.run();
    web?.follow(running);
    const result = await running;
    detach();
    out.write(`\n${result.summary.findings.minimum}\n\nreports:\n${result.files.map((f) => `  ${path.relative(process.cwd(), f)}`).join('\n')}\n`);
    if (result.stopped) out.write(`\nstopped; continue with: npm run sweep -- --resume ${path.relative(process.cwd(), dir)}\n`);
    await prepared.dispose().catch(() => undefined);
    await web?.linger(out);
    return result.stopped ? 130 : 0;
  } finally {
    detach();
    await prepared.dispose().catch(() => undefined);
    await web?.close().catch(() => undefined);
  }
}

async function main(argv: string[]): Promise<number> {
  const cmd = parseCliArgs(argv);
  switch (cmd.kind) {
    case 'help':
      out.write(`${USAGE}\n`);
      return 0;
    case 'run':
      return runSweep(cmd);
    case 'compare':
      return runCompare(cmd);
    case 'plan': {
      const { plan, source } = await resolvePlan(cmd);
      out.write(`# resolved plan (${source}); durations in seconds, memory in MiB\n${stringify(plan)}`);
      return 0;
    }
    case 'report': {
      const root = reportsRoot(cmd.reports);
      const store = createRunStore({ dir: await resolveRunDir(cmd.run, root) });
      const meta = await store.readMeta();
      const { records, warnings } = await store.read();
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      const summary = deriveSummary({ meta, records, complete: await isSearchComplete(meta, records), now: new Date() });
      const files = [...(await writeReports(store, summary)), ...(cmd.compare ? await writeCompare(store, summary, cmd.compare, root) : [])];
      out.write(`${summary.findings.minimum}\n${files.map((f) => `  ${path.relative(process.cwd(), f)}`).join('\n')}\n`);
      return 0;
    }
    case 'lab': {
      const docker = await requireDockerEngine();
      const controller = interruptible();
      const dir = path.join(reportsRoot(cmd.reports), makeRunId(`lab-mm${cmd.servers}`));
      const { result, files } = await runLab({ docker, owner: createSweepOwner(), image: cmd.image, lambda: cmd.lambda, mu: cmd.mu, servers: cmd.servers, durationS: cmd.durationS, dir, signal: controller.signal, log: (l) => out.write(`${l}\n`) });
      out.write(`\n${renderLabMarkdown(result)}\n${files.map((f) => `  ${path.relative(process.cwd(), f)}`).join('\n')}\n`);
      return 0;
    }
    case 'serve': {
      const options = webOptionsFromArgs(cmd.web, reportsRoot(cmd.reports));
      return serveCommand({ options, ports: createDockerWebPorts({ options }), out });
    }
    case 'cleanup': {
      const n = await removeStaleSweeps(await requireDockerEngine());
      out.write(`removed ${n.containers} containers, ${n.networks} networks, ${n.volumes} volumes left by sweeps that are no longer running\n`);
      return 0;
    }
    default:
      return cmd satisfies never;
  }
}

// Waiting on a socket alone (fetch to a container that accepted but has not answered yet) does
// not keep Node alive: the process would end mid-run with exit 0 and skip every clean-up.
const keepAlive = setInterval(() => undefined, 60_000);
main(process.argv.slice(2)).then(
  (code) => {
    clearInterval(keepAlive);
    process.exit(code);
  },
  (error: unknown) => {
    if (isSweepError(error)) {
      process.stderr.write(`${error.format()}\n`);
      process.exit(error.code === 'SWEEP_ERR_ARGS' ? 2 : error.code === 'SWEEP_ERR_ABORTED' ? 130 : 1);
    }
    process.stderr.write(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
