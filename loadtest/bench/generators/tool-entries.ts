/**
 * The non-k6 entries: Locust (FastHttpUser, paced users), vegeta (open model, constant rate),
 * wrk (closed loop: its maximum only, as a floor) and the project's pacer (the same RS_*
 * variables k6 gets, its raw JSON read like k6's).
 */
import { execFile, spawn } from 'node:child_process';
import { access, constants, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { z } from 'zod';
import { getLoadEnv } from '../../src/config.js';
import { k6Env } from '../../src/engines/k6-invocation.js';
import { locust } from '../../src/engines/locust.js';
import { findBinary } from '../../src/engines/local-runtime.js';
import { LOADTEST_DIR } from '../../src/paths.js';
import { poolFor, REQUEST_PATH, type CollectContext, type GeneratorEntry, type OwnReport } from './entry.js';
import { arrivalOptions, readRawWindow } from './k6-entries.js';

const run = promisify(execFile);
const HERE = path.join(LOADTEST_DIR, 'bench', 'generators');
const REPO_DIR = path.dirname(LOADTEST_DIR);
const RUN = { p95: 'run', dropped: 'run' } as const;
export const PACER_SCRIPT = path.join(LOADTEST_DIR, 'pacer', 'pacer.ts');

/** an executable on PATH or in ~/go/bin (where `go install` puts vegeta) */
async function onPath(name: string): Promise<string | null> {
  const env = getLoadEnv();
  const dirs = [...(env.PATH ?? '').split(path.delimiter).filter(Boolean), ...(env.HOME ? [path.join(env.HOME, 'go', 'bin')] : [])];
  for (const dir of dirs) {
    const file = path.join(dir, name);
    if (await access(file, constants.X_OK).then(() => true, () => false)) return file;
  }
  return null;
}

async function need(name: string): Promise<string> {
  const file = await onPath(name);
  if (!file) throw new Error(`${name}: not found on PATH`);
  return file;
}

/** Locust's --csv <prefix>_stats.csv: its "Aggregated" row */
export function parseLocustStats(csv: string): OwnReport {
  const [header, ...rows] = csv.trim().split('\n').map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));
  const agg = rows.find((r) => r[1] === 'Aggregated');
  if (!header || !agg) throw new Error('locust stats: no Aggregated row');
  const col = (name: string) => Number(agg[header.indexOf(name)]);
  return { requests: col('Request Count'), errors: col('Failure Count'), p95Ms: col('95%'), dropped: null, scope: RUN };
}

export function locustEntry(userRps: number): GeneratorEntry {
  return {
    id: 'locust',
    label: `Locust FastHttpUser (${userRps} req/s per user)`,
    role: 'generator',
    model: 'open',
    async probe() {
      const bin = await findBinary(locust);
      if (!bin) return { skip: locust.noBinary };
      return { version: locust.parseVersion((await run(bin, ['--version'])).stdout) ?? 'unknown' };
    },
    async command(input) {
      const bin = await findBinary(locust);
      if (!bin) throw new Error(locust.noBinary);
      const users = Math.max(1, Math.round(input.rate! / userRps));
      const prefix = path.join(input.workDir, 'locust');
      // users start spread evenly over one pacing period: started together, constant_throughput
      // keeps them in step, and each burst of answers queues behind Locust's own CPU (tens of ms)
      const spawnRate = Math.ceil(users * userRps);
      const args = ['-f', path.join(HERE, 'locustfile.py'), '--headless', '--only-summary', '--loglevel', 'WARNING', '-u', String(users), '-r', String(spawnRate), '-t', `${Math.ceil(input.runS)}s`, '--host', input.targetUrl, '--csv', prefix];
      const env = { RS_BODY_FILE: input.bodyFile, RS_USER_RPS: String(userRps), RS_PATH: REQUEST_PATH };
      return {
        file: bin,
        args,
        env,
        stopSignal: 'SIGTERM',
        // the locustfile resets its stats on SIGUSR1: the report then covers the window and the short tail
        atWindowStart: (pid) => process.kill(pid, 'SIGUSR1'),
        collect: async () => ({ ...parseLocustStats(await readFile(`${prefix}_stats.csv`, 'utf8')), scope: { p95: 'window', dropped: 'run' } }),
      };
    },
  };
}

/**
 * vegeta's results over the window: `vegeta encode --to csv` gives one line per request
 * (start time in ns, status code, latency in ns, ...); the p95 is exact over those lines.
 */
async function vegetaWindow(bin: string, results: string, window: CollectContext['window']): Promise<OwnReport> {
  const child = spawn(bin, ['encode', '--to', 'csv', results], { stdio: ['ignore', 'pipe', 'inherit'] });
  const latencies: number[] = [];
  let errors = 0;
  const fromNs = BigInt(window.fromMs) * 1_000_000n;
  const toNs = BigInt(window.toMs) * 1_000_000n;
  for await (const line of createInterface({ input: child.stdout })) {
    const [ts, code, latency] = line.split(',', 3);
    if (!ts || !code || !latency) continue;
    const t = BigInt(ts);
    if (t < fromNs || t > toNs) continue;
    latencies.push(Number(latency) / 1e6);
    if (code !== '200') errors++;
  }
  latencies.sort((a, b) => a - b);
  const p95 = latencies.length > 0 ? latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.95) - 1)]! : null;
  return { requests: latencies.length, errors, p95Ms: p95, dropped: null, scope: { p95: 'window', dropped: 'run' } };
}

export const vegetaEntry: GeneratorEntry = {
  id: 'vegeta',
  label: 'vegeta attack',
  role: 'generator',
  model: 'open',
  async probe() {
    const bin = await onPath('vegeta');
    if (!bin) return { skip: 'vegeta not on PATH or in ~/go/bin (go install github.com/tsenart/vegeta/v12@v12.13.0)' };
    // `go install` builds carry no -version string; the module version is in the build info
    const info = await run('go', ['version', '-m', bin]).then((r) => r.stdout, () => '');
    return { version: /\bmod\s+\S+vegeta\S*\s+v?(\S+)/.exec(info)?.[1] ?? 'unknown' };
  },
  async command(input) {
    const targets = path.join(input.workDir, 'targets.txt');
    await writeFile(targets, `POST ${input.targetUrl}${REQUEST_PATH}\nContent-Type: application/json\n@${input.bodyFile}\n`);
    const results = path.join(input.workDir, 'results.bin');
    const bin = await need('vegeta');
    // -max-body 0: response bodies read but not kept, like k6's discardResponseBodies
    const args = ['attack', '-targets', targets, '-rate', `${input.rate}/1s`, '-duration', `${input.runS}s`, '-max-workers', String(poolFor(input.rate!)), '-max-body', '0', '-output', results];
    return { file: bin, args, stopSignal: 'SIGINT', collect: (ctx) => vegetaWindow(bin, results, ctx.window) };
  },
};

export function wrkEntry(connections: number): GeneratorEntry {
  return {
    id: 'wrk',
    label: `wrk (closed loop, 1 thread, ${connections} connections)`,
    role: 'generator',
    model: 'closed',
    async probe() {
      const bin = await onPath('wrk');
      if (!bin) return { skip: 'wrk not on PATH (apt-get install wrk)' };
      // wrk -v prints its version and exits non-zero
      const out = await run(bin, ['-v']).then((r) => r.stdout, (err: { stdout?: string }) => err.stdout ?? '');
      return { version: /wrk (\S+)/.exec(out)?.[1] ?? 'unknown' };
    },
    async command(input) {
      const args = ['-t1', `-c${connections}`, `-d${Math.ceil(input.runS)}s`, '-s', path.join(HERE, 'wrk-post.lua'), `${input.targetUrl}${REQUEST_PATH}`];
      return {
        file: await need('wrk'),
        args,
        env: { RS_BODY_FILE: input.bodyFile },
        stopSignal: 'SIGINT',
        async collect({ lines }) {
          const line = lines.find((l) => l.startsWith('RS_WRK '));
          if (!line) throw new Error('wrk printed no RS_WRK line');
          const r = z.object({ requests: z.number(), errors: z.number(), p95_us: z.number() }).parse(JSON.parse(line.slice(7)));
          return { requests: r.requests, errors: r.errors, p95Ms: r.p95_us / 1000, dropped: null, scope: RUN };
        },
      };
    },
  };
}

export function pacerEntry(steps: number): GeneratorEntry {
  return {
    id: 'pacer',
    label: 'pacer (the project engine)',
    role: 'generator',
    model: 'open',
    async probe() {
      if (!(await access(PACER_SCRIPT).then(() => true, () => false))) return { skip: `${path.relative(REPO_DIR, PACER_SCRIPT)} is not there yet` };
      return { version: `node ${process.version}` };
    },
    async command(input) {
      const rawSummary = path.join(input.workDir, 'raw.json');
      const env = k6Env(arrivalOptions(input.targetUrl, input.rate!, input.runS, steps), { rawSummary, payloads: null });
      return { file: process.execPath, args: ['--import', 'tsx', PACER_SCRIPT], env, cwd: REPO_DIR, stopSignal: 'SIGINT', collect: (ctx) => readRawWindow(rawSummary, ctx.window, null) };
    },
  };
}
