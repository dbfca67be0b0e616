/**
 * Text pieces shared by report.md and report.html: the method line every table of results
 * carries, and the rows of the per-replica and per-trial tables.
 */
import { describeConfig } from '../core/config-space.js';
import { stackCpuset } from '../plan/plan-schema.js';
import { formatDuration, formatMemory } from '../plan/units.js';
import { evidenceText, users } from '../summary/findings.js';
import type { Summary } from '../summary/summary-schema.js';

export function methodLine(s: Summary): string {
  const p = s.plan;
  const o = p.objective;
  const m = s.machine;
  return [
    `Method: ${p.load.engine}, ${p.load.scenario === 'arrival' ? `open model (each step offers the rate its users would: users / ${(p.load.think_time.min + p.load.think_time.max) / 2} s mean think time)` : `closed model (virtual users with ${p.load.think_time.min}-${p.load.think_time.max} s think time)`}, ${users(p.load.users.from)} to ${users(p.load.users.to)} users by ${users(p.load.users.step)}, each step ramped in ${formatDuration(p.load.ramp)} and held ${formatDuration(p.load.hold)}, ${p.trial.warmup.duration > 0 ? `a ${formatDuration(p.trial.warmup.duration)} warm-up before each trial's first judged step at ${p.trial.warmup.users === 'start' ? 'that step\'s load' : `${users(p.trial.warmup.users)} users`} (not judged)` : 'no warm-up'}${p.search.confirm_boundary ? '; the minimum and the failures that decided it run twice (boundary confirmation)' : ''};`,
    `objective p95 <= ${o.p95_ms} ms${o.p99_ms ? `, p99 <= ${o.p99_ms} ms` : ''}, errors <= ${(o.max_error_rate * 100).toFixed(1)} %${o.allow_oom_kill ? '' : ', no OOM kill'}${o.allow_restarts ? '' : ', no restart'};`,
    `image ${p.target.image} (${p.target.protocol}) on ${p.runtime}, limits per replica CPUs {${p.candidates.cpus.join(', ')}} x memory {${p.candidates.memory.map(formatMemory).join(', ')}} x replicas {${p.candidates.replicas.join(', ')}}, generator fixed at ${p.load.generator.cpus} CPU / ${formatMemory(p.load.generator.memory)};`,
    `${p.trial.pin_stack && stackCpuset(s.machine.cores, p.load.generator.cpus) ? `stack pinned to cores ${stackCpuset(s.machine.cores, p.load.generator.cpus)}, generator to the rest; ` : ''}search ${p.search.strategy}; machine ${m.hostname}: ${m.cores} cores, ${Math.round(m.mem_mib / 1024)} GiB, load average ${m.loadavg_1m.toFixed(2)} at start, Node ${m.node}, Docker ${m.docker ?? '?'}, Compose ${m.compose ?? '?'}${s.git_commit ? `, commit ${s.git_commit.slice(0, 10)}` : ''}.`,
  ].join(' ');
}

export function replicaRows(s: Summary): { head: string[]; rows: string[][] } {
  return {
    head: ['replicas', 'minimum', 'total CPU', 'total memory', 'evidence'],
    rows: s.per_replicas.map((r) =>
      r.best
        ? [String(r.replicas), describeConfig(r.best.config), String(r.best.total_cpus), formatMemory(r.best.total_memory_mib), evidenceText(r.best)]
        : [String(r.replicas), 'none', '-', '-', r.max_held ? `most held: ${users(r.max_held.held_users)} by ${describeConfig(r.max_held.config)}: ${evidenceText(r.max_held)}` : 'nothing held'],
    ),
  };
}

export function trialRows(s: Summary): { head: string[]; rows: string[][] } {
  return {
    head: ['#', 'configuration', 'try', 'warm-up (not judged)', 'start', 'held', 'failed at', 'why', 'valid', 'took'],
    rows: s.trials.map((t) => [
      String(t.index),
      describeConfig(t.config),
      `${t.attempt}${t.confirmation ? ' (confirmation)' : ''}`,
      t.warmup ? `${users(t.warmup.users)} users: p95 ${Math.round(t.warmup.p95_ms)} ms, ${(t.warmup.error_rate * 100).toFixed(1)} % errors` : '-',
      users(t.start_users),
      users(t.held_users),
      t.failed_users === null ? '-' : users(t.failed_users),
      `${t.end === 'target' ? 'held the target' : `${t.reasons.map((r) => r.detail).join('; ')}${t.machine_bound ? ' [machine-bound]' : ''}`}${t.rerun_as != null ? ` (failed its first step: run again from lower as #${t.rerun_as}, which counts instead)` : ''}`,
      t.valid ? 'yes' : 'NO',
      formatDuration(t.duration_s),
    ]),
  };
}

export function countsLine(s: Summary): string {
  const c = s.counts;
  const saved = c.grid_size > 0 ? Math.round((100 * (c.grid_size - c.configurations_measured)) / c.grid_size) : 0;
  return `${c.trials} trials (${c.valid} valid, ${c.invalid} invalid) measured ${c.configurations_measured} of the ${c.grid_size} configurations of the full grid (${saved} % not run); ${formatDuration(c.load_seconds)} under load, ${formatDuration(c.trial_seconds)} of trials, ${formatDuration(c.wall_seconds)} wall time${s.complete ? '' : '; INCOMPLETE, resume to finish'}.`;
}

/** The boundary confirmations: each configuration's two runs side by side, and what they leave it as. */
export function confirmationRows(s: Summary): { head: string[]; rows: string[][] } {
  const verdict = (r: NonNullable<Summary['confirmations']>[number]['runs'][number]) =>
    r.pass ? `#${r.trial_index}: held ${users(r.held_users)}` : `#${r.trial_index}: held ${users(r.held_users)}, failed at ${r.failed_users === null ? '?' : users(r.failed_users)}${r.p95_ms_at_end === null ? '' : ` (p95 ${Math.round(r.p95_ms_at_end)} ms)`}`;
  return {
    head: ['configuration', 'runs', 'agree', 'counts as'],
    rows: (s.confirmations ?? []).map((c) => [describeConfig(c.config), c.runs.map(verdict).join('; '), c.agree ? 'yes' : 'NO', c.status === 'unknown' ? 'undecided (the runs disagree)' : c.status]),
  };
}

/** One sentence on the confirmations: how many verdicts at the target flipped on a second run. */
export function confirmationLine(s: Summary): string {
  const c = s.confirmations ?? [];
  if (!s.plan.search.confirm_boundary) return 'Boundary confirmation is off for this plan (search.confirm_boundary: false): every verdict comes from one run.';
  if (c.length === 0) return s.complete && !s.overall ? `No configuration held ${users(s.target_users)} users, so there was no boundary to confirm.` : 'No configuration was run a second time yet.';
  const flipped = c.filter((x) => !x.agree);
  return `${c.length} configuration${c.length > 1 ? 's' : ''} the answer rests on ran a second time; ${flipped.length} verdict${flipped.length === 1 ? '' : 's'} at ${users(s.target_users)} users flipped${flipped.length ? ` (${flipped.map((x) => describeConfig(x.config)).join(', ')}: undecided)` : ''}.`;
}
