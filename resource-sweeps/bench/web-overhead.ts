/**
 * What the live page costs the machine a sweep is measuring: the server's CPU time per second
 * and the bytes it streams, while N pages follow GET /events and the engine emits what a
 * running trial emits (one trial:load and `containers` trial:sample per second, the 1 s stats
 * tick with its 1 h windows over a full ring, a finished trial every 30 s).
 *
 *   npm run bench:web -w @rightsize/resource-sweeps [-- --seconds 20 --pages 1,5 --containers 4]
 *
 * Method: the real session, app and SSE hub on a loopback socket; pages are fetch() readers in
 * this same process (their parsing is counted too: the numbers are an upper bound for the
 * server alone); CPU from process.cpuUsage() over the run; the ring is pre-filled with an hour.
 */
import { parseArgs } from 'node:util';
import os from 'node:os';
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLoadPort } from '../src/adapters/load-port.js';
import { createSweepEmitter } from '../src/engine/events.js';
import type { SweepResult } from '../src/engine/sweep-engine.js';
import { SweepPlanSchema } from '../src/plan/plan-schema.js';
import { buildWebApp } from '../src/web/app.js';
import { createSession } from '../src/web/session.js';
import { parseWebOptions } from '../src/web/web-options.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, pages: { type: 'string', default: '1,5' }, containers: { type: 'string', default: '4' } } });
const seconds = Number(values.seconds);
const containers = Number(values.containers);
const here = path.dirname(fileURLToPath(import.meta.url));

async function measure(pages: number, runSeconds = seconds) {
  const options = parseWebOptions({ reportsRoot: os.tmpdir(), port: 0 });
  const session = createSession({ options, factory: null, load: createLoadPort({ runLoad: async () => Promise.reject(new Error('no load')) }), balancer: { setOwner: () => undefined, read: async () => null, describe: () => 'none' }, log: () => undefined });
  const app = await buildWebApp({ session, options });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const now = Date.now();
  for (let s = 3600; s > 0; s--) session.stats.recordRates({ at_ms: now - s * 1000, dt_s: 1, rps: 500, failed_per_s: 1, users: 1000 });

  const events = createSweepEmitter();
  const plan = SweepPlanSchema.parse({});
  const never = new Promise<SweepResult>(() => undefined);
  session.sweep.attach({ sweep: { events, run: () => never }, runId: 'bench', dir: os.tmpdir(), plan, owner: null, dispose: async () => undefined }, new AbortController(), never);
  events.emit('sweep:start', { run_id: 'bench', dir: os.tmpdir(), plan, resumed: false, recorded: 0, grid_size: 36, progress: { trials_done: 0, trials_left: 10, eta_s: 3000 } });
  events.emit('trial:start', { index: 0, attempt: 1, config: { replicas: 2, cpus: 0.5, memory_mib: 256 }, start_users: 500, known_held_users: 0, progress: { trials_done: 0, trials_left: 10, eta_s: 3000 } });
  events.emit('trial:phase', { index: 0, phase: 'load', detail: '' });

  let bytes = 0;
  const readers = await Promise.all(
    Array.from({ length: pages }, async () => {
      const res = await fetch(`${url}/events`);
      const reader = res.body!.getReader();
      void (async () => {
        for (;;) {
          const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
          if (done) return;
          bytes += value?.byteLength ?? 0;
        }
      })();
      return reader;
    }),
  );

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  bytes = 0;
  let elapsed = 0;
  const timer = setInterval(() => {
    elapsed++;
    events.emit('trial:load', { index: 0, users: 1000 + elapsed, step_users: 1000, elapsed_s: elapsed, rps: 500, error_rate: 0.001, p95_ms: null, generator: { cpu_pct: 40, mem_mib: 900, dropped: 0 } });
    for (let c = 0; c < containers; c++) events.emit('trial:sample', { index: 0, t: Date.now(), name: `api_${c}`, service: 'api', cpu_pct: 45, mem_mib: 120, mem_limit_mib: 256 });
  }, 1000);
  await new Promise((r) => setTimeout(r, runSeconds * 1000));
  clearInterval(timer);
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - t0) / 1000;
  for (const r of readers) await r.cancel().catch(() => undefined);
  await app.close();
  return { pages, containers, seconds: wall, cpu_ms_per_s: (cpu.user + cpu.system) / 1000 / wall, kib_per_s_per_page: bytes / 1024 / wall / pages };
}

await measure(1, 3); // warms the JIT up; not kept
const rows = [];
for (const pages of String(values.pages).split(',').map(Number)) rows.push(await measure(pages));
const machine = { cores: os.availableParallelism(), loadavg_1m: os.loadavg()[0], node: process.version, at: new Date().toISOString() };
const md = [
  `Live page overhead (\`npm run bench:web -w @rightsize/resource-sweeps\`, ${seconds} s per row after a discarded warm-up, ${containers} sampled containers, 1 h ring pre-filled; ${machine.cores} cores, 1-min load average ${machine.loadavg_1m?.toFixed(1)} at the end (other engineers' builds and tests share the machine: preliminary), Node ${machine.node}, ${machine.at}):`,
  '',
  '| pages following /events | server CPU, ms per s (upper bound) | streamed per page, KiB/s |',
  '|---|---|---|',
  ...rows.map((r) => `| ${r.pages} | ${r.cpu_ms_per_s.toFixed(1)} | ${r.kib_per_s_per_page.toFixed(1)} |`),
].join('\n');
process.stdout.write(`${md}\n`);
const out = path.join(here, 'results');
await mkdir(out, { recursive: true });
await writeFile(path.join(out, 'web-overhead.json'), `${JSON.stringify({ machine, rows }, null, 2)}\n`);
await writeFile(path.join(out, 'web-overhead.md'), `${md}\n`);
process.exit(0);
