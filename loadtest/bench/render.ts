/** The benchmark's Markdown: a table per engine with its method line and the machine's state. Pure. */
import type { MachineState } from './machine.js';

export interface BenchPoint {
  engine: 'k6' | 'locust';
  engineVersion: string;
  label: 'think' | 'max-rps' | 'open';
  users: number;
  thinkS: [number, number];
  rps: number;
  expectedRps: number | null;
  achievedRatio: number | null;
  p50Ms: number;
  p95Ms: number;
  errors: number;
  cpuPctAvg: number | null;
  cpuPctMax: number | null;
  /** % of runnable time waiting for a CPU (other work on the machine) */
  cpuWaitPct: number | null;
  memMbMax: number | null;
  valid: boolean;
  reasons: string[];
  loadavgBefore: [number, number, number];
  otherContainers: number | null;
}

export interface BenchResult {
  stamp: string;
  target: 'haproxy' | 'node';
  machine: MachineState;
  machineAfter: MachineState;
  holdS: number;
  rampS: number;
  points: BenchPoint[];
  fits: {
    engine: string;
    memMbPerUser: number | null;
    memMbBase: number | null;
    cpuPctPer1000Users: number | null;
    usersAt80PctCpu: number | null;
    memMbAtTry: number | null;
    tryUsers: number;
  }[];
}

const n = (v: number | null, digits = 0) => (v === null ? '-' : v.toFixed(digits));

export function renderBench(r: BenchResult): string {
  const out = [
    '# Load generator capacity (`npm run bench:load`)',
    '',
    `Run ${r.stamp} on ${r.machine.cores} cores / ${r.machine.memGiB} GiB, Node ${r.machine.node}; load average before ${r.machine.loadavg.join(' ')}, after ${r.machineAfter.loadavg.join(' ')}; ` +
      `${r.machine.otherContainers ?? '?'} other containers running on the shared engine at the start. Preliminary: the 2 cores are shared with other work.`,
    '',
    `Method: target = ${r.target === 'haproxy' ? 'HAProxy 2.6 answering a constant prediction itself (`http-request return`)' : 'bare node:http constant-JSON server'} pinned to core 0 (cheaper per request than any generator); generator pinned to core 1 with 1 CPU ` +
      `(k6/Locust container: --cpus 1 --cpuset-cpus 1; local process: its one core). Each point: N users (ramp ${r.rampS} s, hold ${r.holdS} s) to warm up, then N+1 users ` +
      `(hold ${r.holdS} s) measured. Closed model, think time uniform in [1, 2.5] s unless noted. CPU = average % of the generator's one core over the measured step ` +
      `(docker stats or /proc, ~1 s samples); CPU wait = share of the generator's runnable time spent waiting for a CPU (schedstat run-queue delay: other work on the machine); memory = peak container/process memory; expected req/s = users / (1.75 s + mean latency) for the closed model, the planned rate (users / 1.75 s) for the open one.`,
    '',
  ];
  for (const engine of [...new Set(r.points.map((p) => p.engine))]) {
    const pts = r.points.filter((p) => p.engine === engine);
    out.push(`## ${engine} ${pts[0]?.engineVersion ?? ''}`, '');
    out.push('| model | users | think s | req/s | expected req/s | achieved | p50 ms | p95 ms | errors | CPU % of 1 core | CPU wait % | peak MB | valid | load avg before |', '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const p of pts) {
      out.push(
        `| ${p.label === 'open' ? 'open (arrival)' : 'closed'} | ${p.users} | ${p.thinkS.join('-')} | ${n(p.rps)} | ${n(p.expectedRps)} | ${p.achievedRatio === null ? '-' : `${(p.achievedRatio * 100).toFixed(1)} %`} | ${n(p.p50Ms, 2)} | ${n(p.p95Ms, 2)} | ${p.errors} | ${n(p.cpuPctAvg, 1)} | ${n(p.cpuWaitPct, 1)} | ${n(p.memMbMax)} | ${p.valid ? 'yes' : `no: ${p.reasons.join('; ')}`}${p.p50Ms > 20 ? ' (p50 over 20 ms: latency inflated by the busy machine)' : ''} | ${p.loadavgBefore[0]} |`,
      );
    }
    const f = r.fits.find((x) => x.engine === engine);
    if (f) {
      out.push(
        '',
        `Fit over the think-time points: memory ≈ ${n(f.memMbBase)} MB + ${n(f.memMbPerUser, 3)} MB per user; CPU ≈ ${n(f.cpuPctPer1000Users, 1)} % of a core per 1,000 users; ` +
          `80 % of one core at ≈ ${n(f.usersAt80PctCpu)} users; ${f.tryUsers} users would need ≈ ${n(f.memMbAtTry)} MB.`,
      );
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
