/**
 * The queueing lab on the real engine: the API image in LAB_MODE=mmc (exponential service of
 * rate mu, c servers, nothing else) in one container published on loopback only, driven with
 * Poisson arrivals from this process, its own counters scraped before and after, its queue
 * gauges sampled; then removed, always. Writes lab.json (data) and lab.md (text) in a run folder.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OWNER_LABEL, type Docker } from '@rightsize/compose/docker';
import { abortedError, SweepError } from '../errors.js';
import { fetchWithTimeout, getText } from '../adapters/http.js';
import { removeSweepOwner } from '../adapters/stale-cleanup.js';
import { markdownTable } from '../report/report-md.js';
import { labResult, labRows, LabResultSchema, type LabResult, type ServerCounters } from './lab-result.js';
import { drivePoisson } from './poisson.js';
import { promValue } from './prom-text.js';

export interface LabOptions {
  docker: Docker;
  owner: string;
  image: string;
  lambda: number;
  mu: number;
  servers: number;
  durationS: number;
  dir: string;
  signal: AbortSignal;
  log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function counters(base: string): Promise<{ counters: ServerCounters | null; queue: number | null; busy: number | null }> {
  const text = await (await fetchWithTimeout(`${base}/metrics`, {}, 3000)).text();
  const v = (n: string) => promValue(text, n);
  const [ws, wc, ss, sc] = [v('lab_wait_seconds_sum'), v('lab_wait_seconds_count'), v('lab_service_seconds_sum'), v('lab_service_seconds_count')];
  return {
    counters: ws !== null && wc !== null && ss !== null && sc !== null ? { wait_sum: ws, wait_count: wc, service_sum: ss, service_count: sc } : null,
    queue: v('lab_queue_length'),
    busy: v('lab_busy_servers'),
  };
}

export function renderLabMarkdown(r: LabResult): string {
  const p = r.params;
  return [
    `# Queueing lab: M/M/${p.servers}, lambda ${p.lambda}/s, mu ${p.mu}/s (rho ${r.theory.rho.toFixed(3)})`,
    '',
    markdownTable(['quantity', 'measured', 'theory', 'difference', 'theory at measured λ, μ'], labRows(r)),
    '',
    `${r.measured.requests} requests counted, ${r.measured.failed} failed. Theory: ${p.servers === 1 ? 'W = 1/(mu - lambda), p95 = ln 20/(mu - lambda)' : 'Erlang C; p95 from the response-time tail'}; L = lambda W (Little). The last column applies the same formulas to the arrival rate achieved and the service time measured (timer granularity lengthens each service by about 1 ms); near rho = 1 the queue converges slowly, so use longer --duration there.`,
    '',
    `_Method: ${r.method}_`,
    '',
  ].join('\n');
}

export async function runLab(options: LabOptions): Promise<{ result: LabResult; files: string[] }> {
  const { docker } = options;
  if (!(await docker.imageInspect(options.image))) {
    throw new SweepError('SWEEP_ERR_LAB', `image ${options.image} is not present`, { hint: 'build it with `npm run images -- --offline`' });
  }
  const warmupS = Math.min(10, options.durationS / 5);
  try {
    const id = await docker.run({
      image: options.image,
      name: `${options.owner}-lab`,
      labels: { [OWNER_LABEL]: options.owner },
      env: { LAB_MODE: 'mmc', LAB_MU: String(options.mu), LAB_SERVERS: String(options.servers), MAX_INFLIGHT: '1000000', HOST: '0.0.0.0', PORT: '8000' },
      publish: [{ container: 8000 }],
    });
    const base = `http://127.0.0.1:${await docker.hostPort(id, 8000)}`;
    options.log(`lab container ${id.slice(0, 12)} at ${base} (LAB_MU=${options.mu}, LAB_SERVERS=${options.servers})`);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (options.signal.aborted) throw abortedError(options.signal.reason);
      const ok = (await getText(`${base}/health/ready`, 1000))?.status === 200;
      if (ok) break;
      if (Date.now() > deadline) throw new SweepError('SWEEP_ERR_LAB', `the lab API did not become ready in 60 s:\n${(await docker.logs(id, { tail: 30 }).catch(() => ({ stdout: '', stderr: '' }))).stderr}`);
      await sleep(300);
    }
    options.log(`Poisson arrivals at ${options.lambda}/s for ${options.durationS} s (first ${warmupS} s not counted)`);
    let before: ServerCounters | null = null;
    const gauges: { queue: number; busy: number }[] = [];
    const started = Date.now();
    const sampling = (async () => {
      await sleep(warmupS * 1000);
      before = (await counters(base)).counters;
      while (Date.now() - started < options.durationS * 1000 && !options.signal.aborted) {
        const c = await counters(base).catch(() => null);
        if (c?.queue != null && c.busy != null) gauges.push({ queue: c.queue, busy: c.busy });
        await sleep(200);
      }
    })();
    const arrivals = await drivePoisson({
      lambda: options.lambda,
      durationS: options.durationS,
      signal: options.signal,
      send: async () => {
        const res = await fetchWithTimeout(`${base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, 60_000);
        await res.arrayBuffer();
        return res.status;
      },
    });
    await sampling;
    if (options.signal.aborted) throw abortedError(options.signal.reason);
    const after = (await counters(base)).counters;
    const result = LabResultSchema.parse(labResult({ lambda: options.lambda, mu: options.mu, servers: options.servers, durationS: options.durationS, warmupS, arrivals, before, after, gauges, createdAt: new Date().toISOString() }));
    await mkdir(options.dir, { recursive: true });
    const files = [path.join(options.dir, 'lab.json'), path.join(options.dir, 'lab.md')];
    await writeFile(files[0] as string, `${JSON.stringify(result, null, 2)}\n`);
    await writeFile(files[1] as string, renderLabMarkdown(result));
    return { result, files };
  } finally {
    await removeSweepOwner(docker, options.owner).catch(() => undefined);
  }
}
