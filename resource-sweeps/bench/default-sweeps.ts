/**
 * `npm run bench:default-sweeps`: the default plan (`npm run sweep` with no plan: 500 to 10,000
 * users by 500 thinking 1-2.5 s, on the pacer) run several times on this machine, one after the
 * other, and what each answered: wall time, trials run against the grid, the minimum and the
 * cheaper neighbours that decided it, what stayed undecided and why, and the machine's state
 * before each run. The spread across runs is the point: a sizing answer that changes from run
 * to run is not an answer.
 *
 *   npm run bench:default-sweeps -- [--runs 3] [--reuse RUN_ID,...] [--timeout-min 50] [--name default-sweeps]
 *
 * `--reuse` counts finished runs in resource-sweeps/reports/ (e.g. one started by hand) towards
 * --runs; the rest are started here, each bounded by --timeout-min. Results are rewritten after
 * every run (an interrupted benchmark keeps what it measured):
 * resource-sweeps/bench/results/<name>.{json,md}. With --runs 0 it only tabulates the --reuse
 * runs (whatever their plans: the table then names each run's plan).
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Evidence, Summary as SweepSummary } from '../src/summary/summary-schema.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '../..');
const REPORTS = path.resolve(here, '../reports');
const OUT = path.join(here, 'results');

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, reuse: { type: 'string', default: '' }, 'timeout-min': { type: 'string', default: '50' }, name: { type: 'string', default: 'default-sweeps' }, title: { type: 'string' } },
});
const NAME = values.name!;
const runs = Number(values.runs);
const reuse = values.reuse!.split(',').filter(Boolean);
const timeoutMs = Number(values['timeout-min']) * 60_000;

interface MachineState {
  at: string;
  loadavg: number[];
  containers_running: number;
  mem_available_mib: number;
}

interface RunRecord {
  run_id: string;
  started_here: boolean;
  before: MachineState | null;
  plan: { engine: string; scenario: string; users: string; think_s: string; ramp_s: number; hold_s: number; p95_ms: number; max_error_rate: number; candidates: string; pin_stack: boolean };
  wall_s: number;
  trials: number;
  invalid_trials: number;
  configurations_measured: number;
  grid_size: number;
  complete: boolean;
  answer: string | null;
  answer_measured: boolean;
  /** the cheaper neighbours of the minimum (per replica count) and how each was decided */
  cheaper: { config: string; status: string; measured: boolean; why: string }[];
  undecided: { config: string; why: string }[];
  /** boundary confirmation (search.confirm_boundary): each configuration run twice, its runs and whether they agree at the target */
  confirmations: { config: string; runs: string; agree: boolean; status: string }[];
  minimum_text: string;
  /** where the machine was the limit, and its CPU budget for the target (findings.machine) */
  machine_text: string;
}

const STOP = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => STOP.abort());

function machineState(): MachineState {
  let containers = -1;
  try {
    containers = execFileSync('docker', ['ps', '-q'], { encoding: 'utf8' }).split('\n').filter(Boolean).length;
  } catch {
    // no engine: the sweep will say so
  }
  return { at: new Date().toISOString(), loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100), containers_running: containers, mem_available_mib: Math.round(os.freemem() / 2 ** 20) };
}

const configText = (e: Pick<Evidence, 'config'>) => `${e.config.replicas} x (${e.config.cpus} CPU, ${e.config.memory_mib}m)`;

function why(e: Evidence): string {
  if (e.failure) return `failed at ${e.failure.users} users: ${e.failure.reasons.map((r) => r.detail).join('; ')}${e.failure.machine_bound ? ' [machine-bound]' : ''}`;
  if (e.inferred_from) return `inferred: ${e.inferred_from.why}`;
  if (e.status === 'unknown') return e.measured ? `held ${e.held_users} users, then undecided` : 'never measured';
  return `${e.status}: held ${e.held_users} users`;
}

async function record(runId: string, startedHere: boolean, before: MachineState | null): Promise<RunRecord> {
  const dir = path.join(REPORTS, runId);
  const summary = JSON.parse(await readFile(path.join(dir, 'summary.json'), 'utf8')) as SweepSummary;
  const p = summary.plan;
  const rows = (await readFile(path.join(dir, 'results.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { started_at: string; finished_at: string });
  const first = rows.length > 0 ? Date.parse(rows[0]!.started_at) : Date.parse(summary.created_at);
  const last = rows.length > 0 ? Date.parse(rows[rows.length - 1]!.finished_at) : Date.parse(summary.generated_at);
  return {
    run_id: runId,
    started_here: startedHere,
    before,
    plan: {
      engine: p.load.engine,
      scenario: p.load.scenario,
      users: `${p.load.users.from}-${p.load.users.to} by ${p.load.users.step}`,
      think_s: `${p.load.think_time.min}-${p.load.think_time.max}`,
      ramp_s: p.load.ramp,
      hold_s: p.load.hold,
      p95_ms: p.objective.p95_ms,
      max_error_rate: p.objective.max_error_rate,
      candidates: `replicas ${p.candidates.replicas.join('/')} x CPUs ${p.candidates.cpus.join('/')} x memory ${p.candidates.memory.join('/')}m`,
      pin_stack: p.trial.pin_stack,
    },
    wall_s: Math.round((Math.max(last, first) - Date.parse(summary.created_at)) / 1000),
    trials: summary.counts.trials,
    invalid_trials: summary.counts.invalid,
    configurations_measured: summary.counts.configurations_measured,
    grid_size: summary.counts.grid_size,
    complete: summary.complete,
    answer: summary.overall ? configText(summary.overall) : null,
    answer_measured: summary.overall?.measured ?? false,
    cheaper: summary.per_replicas.flatMap((r) => r.cheaper.map((e) => ({ config: configText(e), status: e.status, measured: e.measured, why: why(e) }))),
    undecided: summary.per_replicas.flatMap((r) => r.undecided.map((e) => ({ config: configText(e), why: why(e) }))),
    confirmations: (summary.confirmations ?? []).map((c) => ({
      config: configText(c),
      runs: c.runs.map((r) => (r.pass ? `#${r.trial_index} held ${r.held_users}` : `#${r.trial_index} failed at ${r.failed_users ?? '?'}${r.p95_ms_at_end === null ? '' : ` (p95 ${Math.round(r.p95_ms_at_end)} ms)`}`)).join(', '),
      agree: c.agree,
      status: c.status,
    })),
    minimum_text: summary.findings.minimum,
    machine_text: summary.findings.machine,
  };
}

function runSweep(runId: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '-s', 'sweep', '--', '--run-id', runId], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
    // the sweep's own Ctrl-C tears its trial down and keeps what finished
    const stop = () => child.pid && process.kill(-child.pid, 'SIGINT');
    const timer = setTimeout(stop, timeoutMs);
    STOP.signal.addEventListener('abort', stop, { once: true });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

function render(records: RunRecord[]): string {
  const answers = new Set(records.map((r) => r.answer ?? 'none'));
  const walls = records.map((r) => r.wall_s);
  const planText = (p: RunRecord['plan']) => `${p.engine}, ${p.scenario}, users ${p.users}, think ${p.think_s} s, ramp ${p.ramp_s} s, hold ${p.hold_s} s, p95 <= ${p.p95_ms} ms, errors <= ${p.max_error_rate * 100} %, candidates ${p.candidates}${p.pin_stack ? ', stack pinned apart from the generator' : ', stack not pinned'}`;
  const samePlan = new Set(records.map((r) => JSON.stringify(r.plan))).size <= 1;
  const lines: string[] = [
    `# ${values.title ?? 'Default sweeps on this machine'} (\`npm run bench:default-sweeps\`)`,
    '',
    `Method: ${NAME === 'default-sweeps' ? 'the default plan (`npm run sweep`, no plan file), ' : ''}${records.length} runs one after the other on ${os.cpus().length} cores / ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; nothing else ran on the machine during a run (the lead's other work waited). ${samePlan && records[0] ? `Plan: ${planText(records[0].plan)}.` : 'Plans differ: see each run.'} Wall time from the sweep's start to its last trial's end. Data: [${NAME}.json](${NAME}.json); each run's report is in resource-sweeps/reports/<run id>/ (not committed).`,
    '',
    '| run | machine before (load avg 1/5/15, containers) | wall | trials (invalid) / grid | configurations measured | answer | cheaper neighbours | undecided |',
    '|---|---|---|---|---|---|---|---|',
    ...records.map(
      (r) =>
        `| ${r.run_id} | ${r.before ? `${r.before.loadavg.join(' / ')}, ${r.before.containers_running}` : 'not recorded (started by hand)'} | ${Math.floor(r.wall_s / 60)} min ${r.wall_s % 60} s | ${r.trials} (${r.invalid_trials}) / ${r.grid_size} | ${r.configurations_measured} | ${r.answer ?? 'none'}${r.answer && !r.answer_measured ? ' (inferred)' : ''} | ${r.cheaper.map((c) => `${c.config}: ${c.why}`).join('<br>') || '-'} | ${r.undecided.map((u) => `${u.config}: ${u.why}`).join('<br>') || 'none'} |`,
    ),
    '',
    ...(records.some((r) => r.confirmations.length > 0) ? confirmationLines(records) : []),
    `Spread: ${answers.size === 1 ? `every run named ${[...answers][0]}` : `the runs named ${answers.size} different minimums: ${[...answers].join(', ')}`}; wall time ${Math.min(...walls)}-${Math.max(...walls)} s.`,
    '',
    '## What each run answered, and where the machine was the limit',
    '',
    ...records.flatMap((r) => [`- **${r.run_id}**${samePlan ? '' : ` (${planText(r.plan)})`}: ${r.minimum_text}`, `  ${r.machine_text}`]),
    '',
  ];
  return lines.join('\n');
}

/** The boundary confirmations of every run, and how often a verdict at the target flipped on its second run. */
function confirmationLines(records: RunRecord[]): string[] {
  const all = records.flatMap((r) => r.confirmations.map((c) => ({ run: r.run_id, ...c })));
  const flipped = all.filter((c) => !c.agree);
  return [
    '## Boundary confirmation',
    '',
    `Each run ran its minimum and the failures that decided the cheaper configurations a second time (search.confirm_boundary). Over the ${records.length} runs, ${flipped.length} of ${all.length} boundary verdicts flipped on the second run (${all.length ? Math.round((100 * flipped.length) / all.length) : 0} %); a flipped configuration counts as undecided.`,
    '',
    '| run | configuration | runs | agree | counts as |',
    '|---|---|---|---|---|',
    ...all.map((c) => `| ${c.run} | ${c.config} | ${c.runs} | ${c.agree ? 'yes' : 'NO'} | ${c.status === 'unknown' ? 'undecided' : c.status} |`),
    '',
  ];
}

async function save(records: RunRecord[]): Promise<void> {
  await writeFile(path.join(OUT, `${NAME}.json`), `${JSON.stringify({ generated_at: new Date().toISOString(), machine: { cores: os.cpus().length, mem_gib: Math.round(os.totalmem() / 2 ** 30), node: process.version }, runs: records }, null, 2)}\n`);
  await writeFile(path.join(OUT, `${NAME}.md`), render(records));
}

const records: RunRecord[] = [];
for (const id of reuse) records.push(await record(id, false, null));
await save(records);
const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 13);
for (let i = records.length; i < runs && !STOP.signal.aborted; i++) {
  const runId = `default-${stamp}-${i + 1}`;
  const before = machineState();
  process.stdout.write(`\n== default sweep ${i + 1} of ${runs}: ${runId} (load avg ${before.loadavg.join(' ')}, ${before.containers_running} containers running)\n`);
  const code = await runSweep(runId);
  try {
    records.push(await record(runId, true, before));
  } catch (err) {
    process.stderr.write(`run ${runId} (exit ${code}) left no summary: ${(err as Error).message}\n`);
  }
  await save(records);
}
process.stdout.write(`\n${render(records)}`);
