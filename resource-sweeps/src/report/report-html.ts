/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts, no network) with the
 * answers in words, the tables, and the charts. Rendered from summary.json only.
 */
import type { Summary } from '../summary/summary-schema.js';
import { buildCharts } from './report-charts.js';
import { confirmationLine, confirmationRows, countsLine, methodLine, replicaRows, trialRows } from './report-text.js';
import { escapeXml as esc } from './svg/svg-util.js';

export const PAGE_STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
.method{font-size:.85em;color:#555}
.answers dt{font-weight:bold;margin-top:.8em}.answers dd{margin-left:1em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f4f4f4}tr.invalid td{background:#fff4e5}
.maps{display:flex;flex-wrap:wrap;gap:1em}.chart{margin:1em 0;overflow-x:auto}
.warn{background:#fff4e5;border-left:4px solid #E69F00;padding:.5em 1em}
`;

export function htmlTable(head: string[], rows: string[][], rowClass?: (i: number) => string): string {
  const body = rows.map((r, i) => `<tr${rowClass?.(i) ? ` class="${rowClass(i)}"` : ''}>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export function renderHtml(s: Summary): string {
  const f = s.findings;
  const charts = buildCharts(s);
  const replica = replicaRows(s);
  const trials = trialRows(s);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Resource sweep ${esc(s.run_id)}</title><style>${PAGE_STYLE}</style></head>
<body>
<h1>Resource sweep ${esc(s.run_id)} <small>(${esc(s.plan.name)})</small></h1>
<p class="method">${esc(methodLine(s))}</p>
<p>${esc(countsLine(s))}</p>
${s.complete ? '' : '<p class="warn">This sweep did not finish: the answer below is partial. Continue it with <code>npm run sweep -- --resume &lt;this folder&gt;</code>.</p>'}
<h2>Answers</h2>
<dl class="answers">
<dt>The minimum for ${esc(s.target_users.toLocaleString('en-US'))} users</dt><dd>${esc(f.minimum)}</dd>
<dt>What adding replicas did</dt><dd>${esc(f.replicas)}</dd>
<dt>Can resources go lower?</dt><dd>${esc(f.lower)}</dd>
<dt>Where the machine was the limit</dt><dd>${esc(f.machine)}</dd>
</dl>
${f.caveats.length ? `<div class="warn"><strong>Caveats</strong><ul>${f.caveats.map((c) => `<li>${esc(c)}</li>`).join('')}</ul></div>` : ''}
<h2>Minimum per replica count</h2>
${htmlTable(replica.head, replica.rows)}
<h2>Pass/fail map at ${esc(s.target_users.toLocaleString('en-US'))} users</h2>
<p>Each cell: the configuration's status at the target; the number is the load it is known to hold (">=": at least, the trial was cut short). Outlined with *: the minimum of that replica count. Pale, dashed: not run, implied by another trial (hover for which).</p>
<div class="chart">${charts.mapLegend}</div>
<div class="maps">${charts.maps.map((m) => `<div class="chart">${m}</div>`).join('')}</div>
<h2>Largest load held</h2>
<div class="chart">${charts.held}</div>
<h2>Latency and throughput against users</h2>
<div class="chart">${charts.latency}</div>
<div class="chart">${charts.throughput}</div>
<h2>CPU and memory against their limits</h2>
<div class="chart">${charts.cpu}</div>
<div class="chart">${charts.memory}</div>
<h2>Boundary confirmation</h2>
<p>${esc(confirmationLine(s))}</p>
${s.confirmations?.length ? htmlTable(confirmationRows(s).head, confirmationRows(s).rows, (i) => (s.confirmations?.[i]?.agree ? '' : 'invalid')) : ''}
<h2>Trials</h2>
${htmlTable(trials.head, trials.rows, (i) => (s.trials[i]?.valid ? '' : 'invalid'))}
<p class="method">Data: summary.json (this page's only input) and results.jsonl (one line per trial) in this folder.</p>
</body></html>
`;
}
