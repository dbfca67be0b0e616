/** generators.md: a rendering of generators.json (pure). */
import type { BenchGenerators, GeneratorSummary, Point } from './schema.js';

const n = (v: number | null | undefined, digits = 0) => (v === null || v === undefined ? '-' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

export function methodLine(r: BenchGenerators): string {
  const m = r.method;
  const b = m.bounds;
  const after = r.machineAfter ? `, after ${r.machineAfter.loadavg.join(' ')}` : '';
  return (
    `Method: run ${r.stamp} on ${r.machine.cores} cores (${r.cpuModel}), ${r.machine.memGiB} GiB, Node ${r.machine.node}; load average before ${r.machine.loadavg.join(' ')}${after}; ` +
    `${r.machine.otherContainers ?? '?'} other containers on the shared engine at the start (the 2 cores are shared with other work). ` +
    `Target: ${m.target} pinned to core ${m.targetCore}, counting the requests it answers. Each generator alone, pinned to core ${m.generatorCore} (\`taskset -c ${m.generatorCore}\`), one after another against the same target. ` +
    `Each point: ${m.warmupS} s warm-up from the first answered request, then a ${m.holdS} s window (search probes above the fixed rates: ${m.probeHoldS} s). ` +
    `CPU = utime + stime of the generator's whole process tree, reaped children included (/proc/<pid>/stat fields 14-17, ${m.clockTicksPerS} ticks/s), over the window; ` +
    `µs per request = that CPU time / the requests the target answered in the window. Healthy = achieved/offered ≥ ${b.minAchievedRatio}, CPU ≤ ${b.maxCpuPct} % of its core, ` +
    `no dropped iterations, the generator's own p95 ≤ ${b.maxP95Ms} ms (the target answers in well under 1 ms), errors ≤ ${b.maxErrorRatio * 100} %, target CPU ≤ ${b.maxTargetCpuPct} %. ` +
    `p95, errors and drops come from the generator itself, over the window where it can tell ((w) under "Every point"): k6 arrival and the pacer over the steps inside the window ` +
    `(their per-step raw output; p95 merged from the steps' p50/p90/p95/p99/max as piecewise-linear CDFs), vegeta from its per-request results, Locust from its stats reset at the window's start (window + 2 s tail), ` +
    `every k6 script's dropped iterations from its REST API; p95 over the whole run (warm-up included) for the minimal k6 script, the k6 ladder and wrk. ` +
    `CPU wait (schedstat run-queue delay) counts waits behind the generator's own threads too, on its one core. ` +
    `k6 arrival and the pacer: ${m.steps} steps of one user each around rate × 1.75 s (think time 1-2.5 s, as a sweep's plan), so their per-step metrics are as many as a 20-step plan's; ` +
    `k6 VUs and vegeta workers: rate × ${m.vuBudgetS} s + 2; Locust: rate / ${m.locustUserRps} users at constant_throughput(${m.locustUserRps}); wrk: 1 thread, ${m.wrkConnections} connections, closed loop.`
  );
}

function cell(p: Point | undefined): string {
  if (!p) return '';
  return `${n(p.cpuUsPerRequest)} µs, ${n(p.cpuPct)} %${p.valid ? '' : ' ✗'}`;
}

function mainTable(r: BenchGenerators): string[] {
  const rates = r.method.rates;
  const out = [
    `| generator | version | model | ${rates.map((x) => `${n(x)} req/s`).join(' | ')} | largest healthy req/s | what stopped it |`,
    `|---|---|---|${rates.map(() => '---|').join('')}---|---|`,
  ];
  for (const g of r.generators.filter((x) => x.role === 'generator')) {
    const pts = r.points.filter((p) => p.generator === g.id);
    if (g.model === 'closed') {
      const p = pts[0];
      const max = p ? `${n(g.maxRps)} (${n(p.cpuUsPerRequest, 1)} µs/request)` : n(g.maxRps);
      out.push(`| ${g.label} | ${g.version ?? '-'} | closed | ${rates.map(() => '-').join(' | ')} | ${skipOr(g, max)} | ${g.skipped ? '' : g.maxNote} |`);
      continue;
    }
    const cells = rates.map((rate) => cell(pts.find((p) => p.kind === 'fixed' && p.offeredRps === rate)));
    out.push(`| ${g.label} | ${g.version ?? '-'} | ${g.model} | ${cells.join(' | ')} | ${skipOr(g, n(g.maxRps))} | ${g.skipped ? '' : g.maxNote} |`);
  }
  return out;
}

function skipOr(g: GeneratorSummary, text: string): string {
  return g.skipped ? `not run: ${g.skipped}` : text;
}

function ladderTable(r: BenchGenerators): string[] {
  const ladder = r.generators.filter((g) => g.role === 'variant');
  if (ladder.length === 0) return [];
  const rates = [...new Set(r.points.filter((p) => p.kind === 'variant').map((p) => p.offeredRps!))].sort((a, b) => a - b);
  const arrival = r.points.filter((p) => p.generator === 'k6-arrival' && p.kind === 'fixed');
  const out = [
    '## What our k6 scenario pays for',
    '',
    'The arrival scenario rebuilt one feature at a time (`k6-variants.ts`, each level adds one to the one before), then the scenario itself (and, with `--baseline-ref`, as it was at that git ref); µs of generator CPU per request and CPU % of its core, in the same run.',
    '',
    `| level | ${rates.map((x) => `${n(x)} req/s`).join(' | ')} |`,
    `|---|${rates.map(() => '---|').join('')}`,
  ];
  for (const g of ladder) {
    const pts = r.points.filter((p) => p.generator === g.id);
    out.push(`| ${g.label}${g.skipped ? ` (not run: ${g.skipped})` : ''} | ${rates.map((rate) => cell(pts.find((p) => p.offeredRps === rate))).join(' | ')} |`);
  }
  if (arrival.length > 0) out.push(`| k6 arrival.ts itself | ${rates.map((rate) => cell(arrival.find((p) => p.offeredRps === rate))).join(' | ')} |`);
  return [...out, ''];
}

function pointsTable(r: BenchGenerators): string[] {
  const out = [
    '## Every point',
    '',
    '| generator | kind | offered req/s | answered req/s | achieved | CPU % | µs/request | CPU wait % | target CPU % | p95 ms | errors | dropped | healthy | load avg |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const p of r.points) {
    out.push(
      `| ${p.generator} | ${p.kind} | ${n(p.offeredRps)} | ${n(p.achievedRps)} | ${p.achievedRatio === null ? '-' : `${n(p.achievedRatio * 100, 1)} %`} | ${n(p.cpuPct, 1)} | ${n(p.cpuUsPerRequest, 1)} | ${n(p.cpuWaitPct, 1)} | ${n(p.targetCpuPct, 1)} | ${n(p.own.p95Ms, 2)}${p.own.scope.p95 === 'window' ? ' (w)' : ''} | ${p.own.errors} | ${p.own.dropped ?? '-'}${p.own.dropped !== null && p.own.scope.dropped === 'window' ? ' (w)' : ''} | ${p.valid ? 'yes' : `no: ${p.reasons.join('; ')}`} | ${p.loadavg} |`,
    );
  }
  return out;
}

export function renderGenerators(r: BenchGenerators): string {
  return [
    '# Load generators on one core (`npm run bench:generators`)',
    '',
    r.finished ? '' : '**Interrupted run: the tables hold what was measured before it stopped.**\n',
    methodLine(r),
    '',
    'Cells: generator CPU per request (µs) and CPU % of its core at each offered rate; ✗ = not healthy (reasons under "Every point", where (w) marks numbers over the window). ' +
      'The largest healthy rate is the largest offered rate measured healthy (fixed rates, then probes above them).',
    '',
    ...mainTable(r),
    '',
    ...ladderTable(r),
    ...pointsTable(r),
    '',
  ].join('\n');
}
