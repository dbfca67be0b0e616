/** report.md: the summary in Markdown, for pull requests and terminals (charts are in report.html). */
import { formatMemory } from '../plan/units.js';
import type { Summary } from '../summary/summary-schema.js';
import { confirmationLine, confirmationRows, countsLine, methodLine, replicaRows, trialRows } from './report-text.js';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(head: string[], rows: string[][]): string {
  return [`| ${head.map(cell).join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

function mapTable(s: Summary, replicas: number): string {
  const { cpus, memory } = s.plan.candidates;
  const best = s.per_replicas.find((r) => r.replicas === replicas)?.best?.config;
  const rows = [...memory].reverse().map((m) => [
    formatMemory(m),
    ...cpus.map((c) => {
      const e = s.configs.find((x) => x.config.replicas === replicas && x.config.cpus === c && x.config.memory_mib === m);
      if (!e) return '';
      const mark = e.status === 'pass' ? 'pass' : e.status === 'fail' ? 'fail' : '?';
      const star = best && best.cpus === c && best.memory_mib === m ? '**' : '';
      return `${star}${mark}${e.measured ? '' : ' (inferred)'}${star}`;
    }),
  ]);
  return markdownTable([`${replicas} replica(s): memory \\ CPU`, ...cpus.map(String)], rows);
}

export function renderMarkdown(s: Summary): string {
  const f = s.findings;
  const replica = replicaRows(s);
  const trials = trialRows(s);
  return [
    `# Resource sweep ${s.run_id} (${s.plan.name})`,
    '',
    `_${methodLine(s)}_`,
    '',
    countsLine(s),
    '',
    '## Answers',
    '',
    `- **The minimum for ${s.target_users.toLocaleString('en-US')} users.** ${f.minimum}`,
    `- **What adding replicas did.** ${f.replicas}`,
    `- **Can resources go lower?** ${f.lower}`,
    `- **Where the machine was the limit.** ${f.machine}`,
    ...(f.caveats.length ? ['', '**Caveats**', '', ...f.caveats.map((c) => `- ${c}`)] : []),
    '',
    '## Minimum per replica count',
    '',
    markdownTable(replica.head, replica.rows),
    '',
    '## Pass/fail map at the target load',
    '',
    'Bold: the minimum of that replica count. "inferred": not run, implied by a trial of a smaller or larger configuration.',
    '',
    ...s.plan.candidates.replicas.flatMap((r) => [mapTable(s, r), '']),
    '## Boundary confirmation',
    '',
    confirmationLine(s),
    ...(s.confirmations?.length ? ['', markdownTable(confirmationRows(s).head, confirmationRows(s).rows)] : []),
    '',
    '## Trials',
    '',
    markdownTable(trials.head, trials.rows),
    '',
    'Charts (latency and throughput against users, the map, loads held, CPU and memory against limits) are in report.html next to this file; the data is summary.json and results.jsonl.',
    '',
  ].join('\n');
}
