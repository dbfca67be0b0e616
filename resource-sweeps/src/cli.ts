/**
 * `npm run sweep`: the thin shell over the sweep engine. Parses arguments, wires the real
 * adapters (Docker, Compose, the load runner, the cgroup sampler), turns Ctrl-C into an abort
 * (the current trial is torn down, finished trials are kept; a second Ctrl-C quits at once),
 * prints progress from the engine's events, and maps errors to one clear message and an exit code.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { createDocker, type Docker } from '@rightsize/compose/docker';
import { createCgroupReader } from './adapters/cgroup.js';
import { createStackAdapter } from './adapters/stack-adapter.js';
import { createDockerTrialRunner } from './adapters/docker-trial-runner.js';
import { createLoadtestDriver } from './adapters/load-driver.js';
import { createSweepOwner, removeStaleSweeps, removeSweepOwner } from './adapters/stale-cleanup.js';
import { parseCliArgs, USAGE, type Command } from './cli-args.js';
import { getSweepEnv } from './config.js';
import { isSearchComplete } from './engine/replay.js';
import { createSweep } from './engine/sweep-engine.js';
import { isSweepError, SweepError } from './errors.js';
import { runLab, renderLabMarkdown } from './lab/run-lab.js';
import { renderCompareHtml, renderCompareMarkdown } from './report/compare.js';
import { writeReports } from './report/write-reports.js';
import { createRunStore, type RunStore } from './results/run-store.js';
import { RUN_SCHEMA_ID } from './results/trial-record.js';
import { composeFilesFromEnv, gitCommit, machineInfo, makeRunId, reportsRoot, resolvePlan, resolveRunDir } from './run-setup.js';
import { deriveSummary } from './summary/derive-summary.js';
import { SummarySchema, type Summary } from './summary/summary-schema.js';
import { attachTerminalProgress } from './terminal/progress.js';
import { attachWeb, checkServeArgs, serveCommand } from './web/cli-serve.js';

const out = process.stdout;

async function requireEngine(): Promise<Docker> {
  const docker = createDocker();
  try {
    await docker.serverVersion(10_000);
  } catch (cause) {
    throw new SweepError('SWEEP_ERR_DOCKER', 'no Docker engine answers', { cause, hint: 'start it (dockerd >/var/log/dockerd.log 2>&1 &) and check `docker info`' });
  }
  return docker;
}

async function summaryOf(store: RunStore): Promise<Summary> {
  const text = await readFile(store.resolve('summary.json'), 'utf8').catch(() => null);
  if (text) return SummarySchema.parse(JSON.parse(text));
  const meta = await store.readMeta();
  const { records } = await store.read();
  return deriveSummary({ meta, records, complete: await isSearchComplete(meta, records), now: new Date() });
}

async function writeCompare(store: RunStore, summary: Summary, other: string, root: string): Promise<string[]> {
  const otherSummary = await summaryOf(createRunStore({ dir: await resolveRunDir(other, root) }));
  const name = `compare-${otherSummary.run_id}`;
  return [await store.writeFile(`${name}.md`, renderCompareMarkdown(summary, otherSummary)), await store.writeFile(`${name}.html`, renderCompareHtml(summary, otherSummary))];
}

function interruptible(): AbortController {
  const controller = new AbortController();
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
  if (cmd.serve) checkServeArgs(cmd.serve, root);
  // a bad plan or folder is reported before anything touches Docker
  const resumeDir = cmd.resume ? await resolveRunDir(cmd.resume, root) : null;
  const wanted = resumeDir ? null : await resolvePlan(cmd);
  const docker = await requireEngine();
  let store: RunStore;
  let meta;
  if (resumeDir) {
    store = createRunStore({ dir: resumeDir });
    await store.readMeta();
    meta = undefined;
  } else {
    const { plan, source } = wanted as Awaited<ReturnType<typeof resolvePlan>>;
    if (!(await docker.imageInspect(plan.target.image))) {
      throw new SweepError('SWEEP_ERR_STACK_UP', `image ${plan.target.image} is not present`, { key: 'target.image', hint: 'build the images with `npm run images -- --offline` (no registry is reachable to pull from)' });
    }
    const runId = cmd.runId ?? makeRunId(plan.name);
    store = createRunStore({ dir: path.join(root, runId) });
    meta = { schema: RUN_SCHEMA_ID, run_id: runId, created_at: new Date().toISOString(), plan_source: source, plan, machine: await machineInfo(docker), git_commit: await gitCommit() } as const;
  }
  const owner = createSweepOwner();
  const controller = interruptible();
  const files = composeFilesFromEnv();
  const runner = createDockerTrialRunner({
    docker,
    stack: createStackAdapter({ docker, ...(files ? { files } : {}) }),
    load: createLoadtestDriver({ docker }),
    cgroups: createCgroupReader(getSweepEnv().RIGHTSIZE_CGROUP_ROOT ? { root: getSweepEnv().RIGHTSIZE_CGROUP_ROOT as string } : {}),
    owner,
    cores: os.availableParallelism(),
  });
  const sweep = createSweep({ store, ...(meta ? { meta } : {}), runner, signal: controller.signal });
  const detach = attachTerminalProgress(sweep.events, { out, live: Boolean(out.isTTY) && !getSweepEnv().NO_COLOR });
  const runMeta = meta ?? (await store.readMeta());
  const web = cmd.serve ? await attachWeb({ args: cmd.serve, reportsRoot: root, sweep, abort: controller, runId: runMeta.run_id, dir: store.dir, plan: runMeta.plan, owner, out }) : null;
  try {
    const running = sweep.run();
    web?.follow(running);
    const result = await running;
    detach();
    const extra = cmd.compare ? await writeCompare(store, result.summary, cmd.compare, root) : [];
    out.write(`\n${result.summary.findings.minimum}\n\nreports:\n${[...result.files, ...extra].map((f) => `  ${path.relative(process.cwd(), f)}`).join('\n')}\n`);
    if (result.stopped) out.write(`\nstopped; continue with: npm run sweep -- --resume ${path.relative(process.cwd(), store.dir)}\n`);
    await removeSweepOwner(docker, owner).catch(() => undefined);
    await web?.linger(out);
    return result.stopped ? 130 : 0;
  } finally {
    detach();
    await removeSweepOwner(docker, owner).catch(() => undefined);
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
      const docker = await requireEngine();
      const controller = interruptible();
      const dir = path.join(reportsRoot(cmd.reports), makeRunId(`lab-mm${cmd.servers}`));
      const { result, files } = await runLab({ docker, owner: createSweepOwner(), image: cmd.image, lambda: cmd.lambda, mu: cmd.mu, servers: cmd.servers, durationS: cmd.durationS, dir, signal: controller.signal, log: (l) => out.write(`${l}\n`) });
      out.write(`\n${renderLabMarkdown(result)}\n${files.map((f) => `  ${path.relative(process.cwd(), f)}`).join('\n')}\n`);
      return 0;
    }
    case 'serve':
      return serveCommand(cmd.web, reportsRoot(cmd.reports), out);
    case 'cleanup': {
      const n = await removeStaleSweeps(await requireEngine());
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
