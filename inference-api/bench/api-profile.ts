// `npm run bench:api-profile`: where the API's CPU goes at a realistic rate, inside its container.
// The image runs as in bench:api-cost (--cpus 1 --memory 256m, CPU 0, host network) with
// NODE_OPTIONS=--cpu-prof; vegeta offers a constant rate (default 600 req/s) from CPU 1 for the
// duration; `docker stop` ends it gracefully, so V8 writes one profile per thread (main and the
// server's worker). Self time is summed per function and per package. Writes
// bench/results/api-profile.md.
//
//   npm run bench:api-profile [-- --rate 600 --duration 20 --env MICRO_BATCHING=false]
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_DIR, DEFAULT_IMAGE, findVegeta, freePort, run, waitReady, writeTargets } from './container-bench.js';
const { values } = parseArgs({
  options: {
    image: { type: 'string', default: DEFAULT_IMAGE },
    rate: { type: 'string', default: '600' },
    duration: { type: 'string', default: '20' },
    env: { type: 'string', multiple: true, default: [] },
    top: { type: 'string', default: '25' },
    out: { type: 'string', default: path.join(BENCH_DIR, 'results', 'api-profile.md') },
  },
});
const rate = Number(values.rate);
const durationS = Number(values.duration);
const vegeta = findVegeta('bench:api-profile');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a frame's code comes from: a package, our own source, Node itself, or V8/native. */
function packageOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1] as string;
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  if (url.includes('/inference-api/dist/')) return 'rightsize-api';
  return url;
}

function selfTimes(profile: CpuProfile): { byFunction: Map<string, number>; byPackage: Map<string, number>; totalUs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    totalUs += us;
    if (functionName === '(idle)') continue;
    const where = url ? `${url.replace(/^file:\/\/\/app\//, '')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  return { byFunction, byPackage, totalUs };
}

const work = await mkdtemp(path.join(tmpdir(), 'rs-api-profile-'));
const profDir = path.join(work, 'prof');
await mkdir(profDir);
await chmod(profDir, 0o777);
const port = await freePort();
const envArgs = ['HOST=127.0.0.1', `PORT=${port}`, 'LOG_LEVEL=warn', `NODE_OPTIONS=--cpu-prof --cpu-prof-dir=/prof`, ...(values.env as string[])].flatMap((e) => ['-e', e]);
const container = (
  await run('docker', ['run', '-d', '--network', 'host', '--label', `io.rightsize.owner=bench-api-profile-${process.pid}`, '--cpus', '1', '--memory', '256m', '--cpuset-cpus', '0', '-v', `${profDir}:/prof`, ...envArgs, values.image])
).stdout.trim();
try {
  const url = `http://127.0.0.1:${port}`;
  await waitReady(`${url}/health/ready`);
  const targets = await writeTargets(work, url);
  await run('taskset', ['-c', '1', vegeta, 'attack', `-rate=${rate}/1s`, `-duration=${durationS}s`, `-targets=${targets}`, `-output=${path.join(work, 'attack.bin')}`], { timeout: (durationS + 30) * 1000 });
  const report = JSON.parse((await run(vegeta, ['report', '-type=json', path.join(work, 'attack.bin')])).stdout) as { requests: number; success: number };
  await run('docker', ['stop', '--time', '20', container]);
  const files = (await readdir(profDir)).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error('no .cpuprofile written (did the server exit gracefully?)');
  const lines: string[] = [
    '# Where the API\'s CPU goes (`npm run bench:api-profile`)',
    '',
    `Method: ${values.image}, --cpus 1 --memory 256m --cpuset-cpus 0, host network, NODE_OPTIONS=--cpu-prof${(values.env as string[]).length ? `, ${(values.env as string[]).join(' ')}` : ''}; vegeta ${rate} req/s for ${durationS} s from CPU 1 (${report.requests} requests, success ${report.success}); self time per function and per package from V8's sampling profiler, one profile per thread; start-up (model load, warm-up runs) included.`,
    '',
  ];
  for (const f of files.sort()) {
    const { byFunction, byPackage, totalUs } = selfTimes(JSON.parse(await readFile(path.join(profDir, f), 'utf8')) as CpuProfile);
    const busy = [...byPackage.values()].reduce((a, b) => a + b, 0);
    const pct = (us: number) => `${((us / busy) * 100).toFixed(1)} %`;
    const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
    lines.push(`## ${f.replace(/^CPU\.\d+\.\d+\.\d+\./, 'thread ').replace('.cpuprofile', '')}`, '', `Profiled ${(totalUs / 1e6).toFixed(1)} s, busy (not idle; \`(program)\` is native code outside JavaScript: libuv, syscalls, the embedder) ${(busy / 1e6).toFixed(2)} s, ${report.requests ? ((busy / report.requests) | 0) : 0} µs per request sent.`, '');
    lines.push('| package | self time | share of busy |', '|---|---|---|', ...top(byPackage, 15).map(([k, us]) => `| ${k} | ${(us / 1000).toFixed(0)} ms | ${pct(us)} |`), '');
    lines.push('| function | self time | share of busy |', '|---|---|---|', ...top(byFunction, Number(values.top)).map(([k, us]) => `| \`${k.replace(/\|/g, '\\|')}\` | ${(us / 1000).toFixed(0)} ms | ${pct(us)} |`), '');
  }
  await mkdir(path.dirname(values.out), { recursive: true });
  await writeFile(values.out, lines.join('\n'));
  console.log(lines.join('\n'));
} finally {
  await run('docker', ['rm', '-f', container]).catch(() => undefined);
  await rm(work, { recursive: true, force: true });
}
