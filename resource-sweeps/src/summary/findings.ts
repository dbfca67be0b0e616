/**
 * The workshop's questions answered in words, from the summary's data only: the minimum for
 * the target load, what adding replicas did, whether resources can go lower, and where the
 * machine rather than the configuration was the limit. Every number in these sentences is a
 * field of summary.json, so the text can be checked against the data.
 */
import { describeConfig, sameConfig, type TrialConfig } from '../core/config-space.js';
import type { Reason } from '../core/trial-outcome.js';
import { formatMemory } from '../plan/units.js';
import type { Evidence, Findings, Summary } from './summary-schema.js';

type SummaryData = Omit<Summary, 'findings'>;

export const users = (u: number) => u.toLocaleString('en-US');
const pct = (x: number | null, digits = 0) => (x === null ? '?' : `${(x * 100).toFixed(digits)} %`);
const ms = (x: number) => `${Math.round(x)} ms`;
const reasonText = (reasons: readonly Reason[]) => reasons.map((r) => r.detail).join('; ') || 'no reason recorded';
const trialRef = (i: number | null) => (i === null ? '' : ` (trial #${i})`);
const total = (e: Evidence) => `${Number(e.total_cpus.toFixed(3))} CPU and ${formatMemory(e.total_memory_mib)} in total`;

/** One sentence of evidence for a configuration's status. */
export function evidenceText(e: Evidence): string {
  if (!e.measured) {
    if (e.inferred_from) return `not run itself: ${e.inferred_from.why}${trialRef(e.inferred_from.trial_index)}`;
    return 'not run and not implied by any trial';
  }
  if (e.status === 'pass' && e.at_held) {
    const a = e.at_held;
    const cpu = a.cpu_pct_of_limit === null ? '' : `; the API used ${Math.round(a.cpu_pct_of_limit)} % of its CPU limit (throttled in ${pct(a.throttled_ratio)} of CFS periods)`;
    const mem = a.mem_max_mib === null ? '' : ` and at most ${Math.round(a.mem_max_mib)} of ${a.mem_limit_mib ?? '?'} MiB`;
    return `at ${users(a.users)} users p95 ${ms(a.p95_ms)}, ${pct(a.error_rate, 2)} errors, ${Math.round(a.rps)} req/s${cpu}${mem}${trialRef(e.trial_index)}`;
  }
  if (e.failure && e.status === 'unknown' && e.measured) {
    return `held ${users(e.held_users)} users; at ${users(e.failure.users)} the trial was invalid, not a failure of the limits: ${reasonText(e.failure.reasons)}${trialRef(e.trial_index)}`;
  }
  if (e.failure) {
    const why = reasonText(e.failure.reasons);
    const machine = e.failure.machine_bound
      ? ' while the API was below its limits and the host CPU contended (the machine was the limit)'
      : e.failure.limit_binding === false
        ? ' while the API was below its limits (something else was the bottleneck)'
        : '';
    return `held ${users(e.held_users)} users, failed at ${users(e.failure.users)}: ${why}${machine}${trialRef(e.trial_index)}`;
  }
  return `held ${users(e.held_users)} users${trialRef(e.trial_index)}`;
}

function minimumText(s: SummaryData): string {
  const o = s.plan.objective;
  const objective = `p95 <= ${o.p95_ms} ms${o.p99_ms ? `, p99 <= ${o.p99_ms} ms` : ''}, errors <= ${pct(o.max_error_rate, 1)}${o.allow_oom_kill ? '' : ', no OOM kill'}${o.allow_restarts ? '' : ', no restart'}`;
  if (s.overall) {
    return `The smallest configuration that held ${users(s.target_users)} users (${objective}) is ${describeConfig(s.overall.config)}, ${total(s.overall)}: ${evidenceText(s.overall)}.${confirmedText(s, s.overall.config)}`;
  }
  if (s.counts.trials > 0 && s.counts.valid === 0) {
    return `No trial was valid, so nothing is known about ${users(s.target_users)} users (${objective}): every trial was ended by the machine, the generator or the infrastructure (see below).`;
  }
  const best = [...s.per_replicas].map((r) => r.max_held).filter((e): e is Evidence => e !== null).sort((a, b) => b.held_users - a.held_users)[0];
  const most = best ? ` The most any configuration held was ${users(best.held_users)} users, by ${describeConfig(best.config)}: ${evidenceText(best)}.` : ' No configuration held even the first step.';
  const undecided = s.configs.filter((c) => c.measured && c.status === 'unknown');
  const cut = undecided.length ? Math.max(...undecided.map((c) => c.held_users)) : 0;
  const why = undecided.length
    ? ` ${undecided.length} configuration${undecided.length > 1 ? 's' : ''} (${undecided.map((c) => describeConfig(c.config)).join(', ')}) stayed undecided: their trials were ended by the machine or the generator, not by their limits, at about ${users(cut)} users. Above that load this machine cannot answer the question; run the sweep where the generator has its own cores.`
    : '';
  return `No configuration among the candidates was shown to hold ${users(s.target_users)} users (${objective}).${most}${why}`;
}

/** Whether a second run confirmed the configuration (search.confirm_boundary). */
function confirmedText(s: SummaryData, config: TrialConfig): string {
  const c = s.confirmations?.find((x) => sameConfig(x.config, config));
  if (!c || c.runs.length < 2) return '';
  return c.agree ? ` A second run agreed (trials ${c.runs.map((r) => `#${r.trial_index}`).join(' and ')}).` : '';
}

/**
 * More replicas with the same limits that held no more than fewer replicas: implausible on its
 * face, so the trial that decided it is quoted (where it started, its warm-up, how it failed and
 * what its limits and the host were doing) to say from measurements why.
 */
export function replicaInversionText(s: SummaryData): string[] {
  const measured = s.configs.filter((c) => c.measured && c.status !== 'pass');
  const out: string[] = [];
  for (const more of measured) {
    const fewer = s.configs.find((c) => c.measured && c.config.cpus === more.config.cpus && c.config.memory_mib === more.config.memory_mib && c.config.replicas < more.config.replicas && c.held_users >= more.held_users);
    if (!fewer) continue;
    const t = s.trials.find((x) => x.index === more.trial_index);
    const f = more.failure;
    if (!t || !f) continue;
    const a = f.at;
    const warm = t.warmup ? ` after a warm-up at ${users(t.warmup.users)} users (p95 ${ms(t.warmup.p95_ms)}, not judged)` : ' with no warm-up';
    const limits = a
      ? `; its replicas used ${a.cpu_pct_of_limit === null ? '?' : `${Math.round(a.cpu_pct_of_limit)} %`} of their summed CPU limit, throttled in ${pct(a.throttled_ratio)} of CFS periods, with the host ${a.host_cpu_pct === null ? '?' : `${Math.round(a.host_cpu_pct)} %`} busy`
      : '';
    const why = f.machine_bound
      ? 'the machine, not the limits, was the bottleneck there'
      : f.limit_binding
        ? 'the replicas were at their limits, so the second replica added less capacity than it cost'
        : f.limit_binding === false
          ? 'the replicas were below their limits, so something other than the limits (the balancer, the API\'s concurrency) failed first'
          : 'whether the limits were reached is unknown';
    out.push(
      `${describeConfig(more.config)} held no more than ${describeConfig(fewer.config)} (${users(more.held_users)} against ${users(fewer.held_users)} users): its trial #${t.index} started at ${users(t.start_users)} users${warm} and failed at ${users(f.users)} users (${reasonText(f.reasons)})${limits}: ${why}.`,
    );
  }
  return out;
}

function replicasText(s: SummaryData): string {
  const parts = s.per_replicas.map((r) =>
    r.best
      ? `${r.replicas} replica${r.replicas > 1 ? 's' : ''}: ${describeConfig(r.best.config)} = ${total(r.best)}`
      : `${r.replicas} replica${r.replicas > 1 ? 's' : ''}: none held ${users(s.target_users)}${r.max_held ? ` (at most ${users(r.max_held.held_users)}, ${describeConfig(r.max_held.config)})` : ''}`,
  );
  const sentences = [`Minimum per replica count: ${parts.join('; ')}.`];
  const withBest = s.per_replicas.filter((r) => r.best);
  for (let i = 1; i < withBest.length; i++) {
    const a = withBest[i - 1]?.best as Evidence;
    const b = withBest[i]?.best as Evidence;
    const d = Number((b.total_cpus - a.total_cpus).toFixed(3));
    const verb = d < 0 ? `saved ${-d} CPU in total` : d > 0 ? `cost ${d} CPU more in total` : 'needed the same total CPU';
    sentences.push(`Going from ${a.config.replicas} to ${b.config.replicas} replicas ${verb} (memory ${formatMemory(a.total_memory_mib)} -> ${formatMemory(b.total_memory_mib)}).`);
  }
  // Same limits per replica, different replica counts: how capacity scaled.
  const groups = new Map<string, Evidence[]>();
  for (const e of s.configs.filter((c) => c.measured && c.status !== 'unknown')) {
    const key = `${e.config.cpus}/${e.config.memory_mib}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const widest = [...groups.values()].sort((a, b) => b.length - a.length)[0];
  if (widest && widest.length > 1) {
    const first = widest[0] as Evidence;
    const held = widest
      .sort((a, b) => a.config.replicas - b.config.replicas)
      .map((e) => `${e.config.replicas} -> ${users(e.held_users)}${e.status === 'pass' ? '+' : ''}`)
      .join(', ');
    sentences.push(`With the same limits per replica (${first.config.cpus} CPU, ${formatMemory(first.config.memory_mib)}), replicas -> users held: ${held}.`);
  } else if (s.per_replicas.length > 1) {
    sentences.push('No limit pair was measured at more than one replica count, so capacity per replica cannot be compared directly.');
  }
  const equalCpu = equalTotalCpuText(s);
  if (equalCpu) sentences.push(equalCpu);
  sentences.push(...replicaInversionText(s));
  return sentences.join(' ');
}

/**
 * The same total CPU split over different replica counts (1 x 0.5 against 2 x 0.25): what the
 * split itself does, apart from adding CPU. The total with the most replica counts measured is
 * shown; per replica count, the configuration that held the most at that total.
 */
function equalTotalCpuText(s: SummaryData): string | null {
  const byTotal = new Map<number, Map<number, Evidence>>();
  for (const e of s.configs.filter((c) => c.measured && c.status !== 'unknown')) {
    const totalCpu = Number(e.total_cpus.toFixed(3));
    const row = byTotal.get(totalCpu) ?? new Map<number, Evidence>();
    const seen = row.get(e.config.replicas);
    if (!seen || e.held_users > seen.held_users) row.set(e.config.replicas, e);
    byTotal.set(totalCpu, row);
  }
  const [totalCpu, row] = [...byTotal.entries()].filter(([, r]) => r.size > 1).sort((a, b) => b[1].size - a[1].size || b[0] - a[0])[0] ?? [];
  if (totalCpu === undefined || row === undefined) return null;
  const held = [...row.values()]
    .sort((a, b) => a.config.replicas - b.config.replicas)
    .map((e) => `${e.config.replicas} x ${e.config.cpus} -> ${users(e.held_users)}${e.status === 'pass' ? '+' : ''}`)
    .join(', ');
  return `With the same total CPU (${totalCpu} CPU), replicas x CPU each -> users held: ${held}.`;
}

function lowerText(s: SummaryData): string {
  if (!s.overall) {
    const undecided = s.configs.filter((c) => c.measured && c.status === 'unknown');
    if (undecided.length) return `Cannot tell here: the machine or the generator gave out before the limits did (see where the machine was the limit), so nothing above about ${users(Math.max(...undecided.map((c) => c.held_users)))} users says anything about the limits.`;
    return `Not below what was tried: nothing held ${users(s.target_users)} users. Add larger candidates or replicas, or lower the target.`;
  }
  const best = s.overall.config;
  const row = s.per_replicas.find((r) => r.replicas === best.replicas);
  const out: string[] = [];
  const { cpus, memory } = s.plan.candidates;
  const lessCpu = row?.cheaper.find((e) => e.config.cpus < best.cpus);
  if (lessCpu) out.push(`Less CPU: ${describeConfig(lessCpu.config)} ${lessCpu.status === 'fail' ? 'does not pass' : 'is undecided'}: ${evidenceText(lessCpu)}.`);
  else if (best.cpus === cpus[0]) out.push(`${best.cpus} CPU is the smallest CPU candidate: add smaller ones to look lower.`);
  const lessMem = row?.cheaper.find((e) => e.config.memory_mib < best.memory_mib);
  if (lessMem) out.push(`Less memory: ${describeConfig(lessMem.config)} ${lessMem.status === 'fail' ? 'does not pass' : 'is undecided'}: ${evidenceText(lessMem)}.`);
  else if (best.memory_mib === memory[0]) out.push(`${formatMemory(best.memory_mib)} is the smallest memory candidate: add smaller ones to look lower.`);
  const a = s.overall.at_held;
  if (a?.cpu_pct_of_limit !== null && a?.cpu_pct_of_limit !== undefined && a.cpu_pct_of_limit < 70) {
    out.push(`At ${users(a.users)} users the API used only ${Math.round(a.cpu_pct_of_limit)} % of its CPU limit: a limit between the next lower candidate and ${best.cpus} may still hold.`);
  }
  if (a?.mem_max_mib !== null && a?.mem_max_mib !== undefined && a.mem_limit_mib && a.mem_max_mib < 0.7 * a.mem_limit_mib) {
    out.push(`Memory peaked at ${Math.round(a.mem_max_mib)} of ${a.mem_limit_mib} MiB: a limit between the next lower candidate and ${formatMemory(best.memory_mib)} may still hold.`);
  }
  const cheaperOther = s.per_replicas.filter((r) => r.undecided.length > 0);
  if (cheaperOther.length) out.push(`Undecided cheaper configurations (invalid trials): ${cheaperOther.flatMap((r) => r.undecided.map((e) => describeConfig(e.config))).join(', ')}.`);
  return out.join(' ') || 'Within the candidates, no cheaper configuration exists.';
}

function machineText(s: SummaryData): string {
  const machineBound = s.trials.filter((t) => t.machine_bound);
  const invalid = s.trials.filter((t) => !t.valid && !t.machine_bound);
  const out: string[] = [];
  if (invalid.length) {
    const at = invalid.map((t) => `#${t.index} ${describeConfig(t.config)} at ${users(t.failed_users ?? t.held_users)} users (${reasonText(t.reasons)})`).join('; ');
    out.push(`${invalid.length} trial${invalid.length > 1 ? 's were' : ' was'} invalid, so the machine or the load generator, not the configuration, ended ${invalid.length > 1 ? 'them' : 'it'}: ${at}.`);
  }
  if (machineBound.length) {
    const at = machineBound.map((t) => `#${t.index} ${describeConfig(t.config)} at ${users(t.failed_users ?? 0)} users`).join('; ');
    out.push(
      `${machineBound.length} trial${machineBound.length > 1 ? 's' : ''} broke the objective while the API was below its CPU and memory limits and the machine was contended (host >= 90 % busy, >= 20 % CPU pressure, or the generator waiting for a CPU half the time): the ${s.machine.cores}-core machine, shared by the API, the balancer, the generator and anything else running, was the limit, so those trials count as invalid, not as the configuration failing: ${at}.`,
    );
  }
  const notBinding = s.trials.filter((t) => !t.machine_bound && t.limit_binding === false && t.end === 'objective' && t.reasons.some((r) => r.kind === 'latency' || r.kind === 'errors'));
  if (notBinding.length) {
    out.push(
      `${notBinding.length} failure${notBinding.length > 1 ? 's' : ''} happened while the API used less than 80 % of its CPU limit, was throttled in under 10 % of periods and stayed below 90 % of its memory: its limits were not the bottleneck, something else was (the balancer, the API's own concurrency, the network) (${notBinding.map((t) => `#${t.index}`).join(', ')}).`,
    );
  }
  const over = s.configs.filter((c) => c.oversubscribed && c.measured);
  if (over.length) {
    out.push(`Measured configurations whose API limits plus the generator's ${s.plan.load.generator.cpus} CPU exceed the ${s.machine.cores} cores: ${over.map((c) => describeConfig(c.config)).join(', ')}; their limits cannot all be honoured at once.`);
  }
  const budget = machineBudgetText(s);
  if (out.length === 0) out.push('Every trial was valid and no failure was blamed on the machine: the limits, not the host, decided the results.');
  if (budget) out.push(budget);
  return out.join(' ');
}

/**
 * The machine's CPU budget for the target, from the busiest step that held: CPU per request of
 * the API (its containers), the generator (its samples) and everything else on the host (the
 * balancer, the kernel's networking, Docker), times the rate the target stands for, against the
 * machine's cores. When that sum nears the cores, the answers near the target are the machine's.
 */
export function machineBudgetText(s: SummaryData): string | null {
  let best: { t: SummaryData['trials'][number]; step: SummaryData['trials'][number]['steps'][number] } | null = null;
  for (const t of s.trials) {
    for (const step of t.steps) {
      if (!step.pass || !step.valid || step.rps <= 0 || step.cpu_pct === null || step.host_cpu_pct === null || step.generator_cpu_pct === null) continue;
      if (!best || step.rps > best.step.rps) best = { t, step };
    }
  }
  if (!best) return null;
  const { t, step } = best;
  const cores = s.machine.cores;
  const us = (corePct: number) => (corePct / 100 / step.rps) * 1e6;
  const api = us(step.cpu_pct as number);
  const generator = us((step.generator_cpu_pct as number) * s.plan.load.generator.cpus);
  const all = us((step.host_cpu_pct as number) * cores);
  const rest = Math.max(0, all - api - generator);
  const think = (s.plan.load.think_time.min + s.plan.load.think_time.max) / 2;
  const targetRps = think > 0 ? s.target_users / think : 0;
  if (targetRps <= 0) return null;
  const need = (all * targetRps) / 1e6;
  const r = (x: number) => Math.round(x);
  return (
    `Machine budget: at its busiest step that held (trial #${t.index}, ${describeConfig(t.config)}, ${users(step.users)} users, ${r(step.rps)} req/s) the API spent ${r(api)} µs of CPU per request, the generator ${r(generator)} µs ` +
    `and everything else on the host (balancer, kernel networking, Docker) ${r(rest)} µs: ${r(all)} µs in all. The target, ${users(s.target_users)} users at ${think} s mean think time (${r(targetRps)} req/s), ` +
    `would need about ${need.toFixed(2)} of the machine's ${cores} cores at that cost (${r((100 * need) / cores)} %)${need > 0.7 * cores ? ': the API, the balancer and the generator then wait for CPUs often enough (CPU pressure) that the machine, not the limits, sets the latency near the target' : ''}.`
  );
}

function caveats(s: SummaryData): string[] {
  const out: string[] = [];
  if (!s.complete) out.push(`The sweep did not finish (${s.counts.trials} trials so far): resume it with --resume to complete the answer.`);
  for (const v of s.monotonicity_violations) out.push(`Measurements contradict "more resources never hurt": ${v.detail}. Noise or machine contention; repeat those trials before trusting the frontier near them.`);
  for (const c of (s.confirmations ?? []).filter((x) => !x.agree)) {
    const runs = c.runs.map((r) => (r.pass ? `trial #${r.trial_index} held ${users(r.held_users)} users` : `trial #${r.trial_index} failed at ${r.failed_users === null ? '?' : users(r.failed_users)} users${r.p95_ms_at_end === null ? '' : ` (p95 ${ms(r.p95_ms_at_end)})`}`));
    out.push(`Two runs of ${describeConfig(c.config)} disagree at ${users(s.target_users)} users (${runs.join('; ')}): it counts as undecided, neither passing nor failing. A verdict this close to the boundary is chance; a longer hold or a quieter machine decides it.`);
  }
  if (s.plan.search.monotone_in_replicas) out.push('Results were carried across replica counts on the assumption that more replicas with the same limits never hold less.');
  if (s.machine.loadavg_1m > s.machine.cores * 0.5) out.push(`The machine was already busy when the run started (load average ${s.machine.loadavg_1m.toFixed(2)} on ${s.machine.cores} cores): numbers are preliminary.`);
  return out;
}

export function deriveFindings(s: SummaryData): Findings {
  return { minimum: minimumText(s), replicas: replicasText(s), lower: lowerText(s), machine: machineText(s), caveats: caveats(s) };
}

/** `2 x (0.5 CPU, 256m)` or "none". */
export function configOrNone(c: TrialConfig | null | undefined): string {
  return c ? describeConfig(c) : 'none';
}
