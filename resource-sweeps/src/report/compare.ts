/**
 * Two sweeps side by side (ours against another image such as `mlflow models serve` on the same
 * model, or two versions of ours): their answers, their minimum per replica count, and the load
 * each configuration held in both, as tables and charts. Pure over two summaries.
 */
import { compareCost, configKey, describeConfig, type TrialConfig } from '../core/config-space.js';
import { evidenceText, users } from '../summary/findings.js';
import type { Evidence, Summary } from '../summary/summary-schema.js';
import { htmlTable, PAGE_STYLE } from './report-html.js';
import { markdownTable } from './report-md.js';
import { methodLine } from './report-text.js';
import { renderLineChart } from './svg/line-chart.js';
import { escapeXml as esc, formatNumber, niceTicks, PALETTE, text } from './svg/svg-util.js';

const label = (s: Summary) => `${s.run_id} (${s.plan.target.image})`;

function heldCell(e: Evidence | undefined, target: number): string {
  if (!e) return 'not in plan';
  if (!e.measured && e.status === 'unknown') return 'not run';
  const v = e.status === 'pass' ? `${users(target)}+` : e.upper_users === null ? `>= ${users(e.held_users)}` : users(e.held_users);
  return `${v}${e.measured ? '' : ' (inferred)'}`;
}

export function compareRows(a: Summary, b: Summary) {
  const replicas = [...new Set([...a.per_replicas, ...b.per_replicas].map((r) => r.replicas))].sort((x, y) => x - y);
  const minima = replicas.map((r) => {
    const ra = a.per_replicas.find((x) => x.replicas === r);
    const rb = b.per_replicas.find((x) => x.replicas === r);
    const show = (x: typeof ra, s: Summary) => (!x ? 'not in plan' : x.best ? describeConfig(x.best.config) : `none (most held ${users(x.max_held?.held_users ?? 0)} of ${users(s.target_users)})`);
    return [String(r), show(ra, a), show(rb, b)];
  });
  const keys = new Map<string, TrialConfig>();
  for (const e of [...a.configs, ...b.configs]) if (e.measured) keys.set(configKey(e.config), e.config);
  const held = [...keys.values()].sort(compareCost).map((c) => {
    const ea = a.configs.find((e) => configKey(e.config) === configKey(c));
    const eb = b.configs.find((e) => configKey(e.config) === configKey(c));
    return { config: c, a: ea, b: eb, row: [describeConfig(c), heldCell(ea, a.target_users), heldCell(eb, b.target_users)] };
  });
  return { minima, held };
}

/** Grouped horizontal bars: users held per configuration, one bar per run. */
function pairedBars(a: Summary, b: Summary, rows: ReturnType<typeof compareRows>['held']): string {
  const width = 720;
  const barH = 10;
  const margin = { left: 170, right: 24, top: 40, bottom: 40 };
  const height = margin.top + Math.max(1, rows.length) * (2 * barH + 8) + margin.bottom;
  const max = niceTicks(0, 1.12 * Math.max(a.target_users, b.target_users, 1), 6);
  const top = max[max.length - 1] as number;
  const sx = (v: number) => margin.left + (v / top) * (width - margin.left - margin.right);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="sans-serif" font-size="11" role="img" aria-label="users held, both runs">`];
  parts.push(text(width / 2, 16, 'Largest load held per configuration', 'text-anchor="middle" font-size="13" font-weight="bold"'));
  [a, b].forEach((s, i) => {
    parts.push(`<rect x="${margin.left + i * 260}" y="24" width="12" height="10" fill="${PALETTE[i]}"/>`);
    parts.push(text(margin.left + i * 260 + 16, 33, label(s)));
  });
  for (const t of max) parts.push(text(sx(t), height - margin.bottom + 14, formatNumber(t), 'text-anchor="middle" fill="#444"'));
  rows.forEach((r, i) => {
    const y = margin.top + i * (2 * barH + 8);
    parts.push(text(margin.left - 6, y + barH + 4, describeConfig(r.config), 'text-anchor="end"'));
    [r.a, r.b].forEach((e, j) => {
      if (!e || (!e.measured && e.status === 'unknown')) return;
      parts.push(`<rect x="${margin.left}" y="${y + j * barH}" width="${Math.max(1, sx(e.held_users) - margin.left).toFixed(1)}" height="${barH - 1}" fill="${PALETTE[j]}" fill-opacity="${e.measured ? 0.9 : 0.35}"><title>${esc(`${label(j ? b : a)}: ${heldCell(e, (j ? b : a).target_users)}`)}</title></rect>`);
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

function minimumTrialSeries(s: Summary) {
  const best = s.overall ?? [...s.configs].filter((c) => c.measured).sort((x, y) => y.held_users - x.held_users)[0];
  const trial = best ? s.trials.filter((t) => configKey(t.config) === configKey(best.config)).at(-1) : undefined;
  return trial ? [{ name: `${label(s)}: ${describeConfig(trial.config)}`, points: trial.steps.map((st) => ({ x: st.users, y: st.p95_ms, hollow: !st.pass })) }] : [];
}

export function renderCompareMarkdown(a: Summary, b: Summary): string {
  const rows = compareRows(a, b);
  return [
    `# ${a.run_id} against ${b.run_id}`,
    '',
    `- **${label(a)}**: ${a.findings.minimum}`,
    `- **${label(b)}**: ${b.findings.minimum}`,
    '',
    '## Minimum per replica count',
    '',
    markdownTable(['replicas', label(a), label(b)], rows.minima),
    '',
    '## Largest load held (users)',
    '',
    markdownTable(['configuration', label(a), label(b)], rows.held.map((r) => r.row)),
    '',
    `_${a.run_id}: ${methodLine(a)}_`,
    '',
    `_${b.run_id}: ${methodLine(b)}_`,
    '',
  ].join('\n');
}

export function renderCompareHtml(a: Summary, b: Summary): string {
  const rows = compareRows(a, b);
  const overall = (s: Summary) => (s.overall ? `${describeConfig(s.overall.config)}: ${evidenceText(s.overall)}` : s.findings.minimum);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(a.run_id)} against ${esc(b.run_id)}</title><style>${PAGE_STYLE}</style></head>
<body>
<h1>${esc(label(a))} against ${esc(label(b))}</h1>
<dl class="answers"><dt>${esc(label(a))}</dt><dd>${esc(overall(a))}</dd><dt>${esc(label(b))}</dt><dd>${esc(overall(b))}</dd></dl>
<h2>Minimum per replica count</h2>
${htmlTable(['replicas', label(a), label(b)], rows.minima)}
<h2>Largest load held</h2>
<div class="chart">${pairedBars(a, b, rows.held)}</div>
${htmlTable(['configuration', label(a), label(b)], rows.held.map((r) => r.row))}
<h2>p95 against users at each run's minimum (or its strongest configuration)</h2>
<div class="chart">${renderLineChart({ title: 'p95 latency against users', xLabel: 'concurrent users', yLabel: 'p95, ms', series: [...minimumTrialSeries(a), ...minimumTrialSeries(b)], references: [{ y: a.plan.objective.p95_ms, label: `objective ${a.plan.objective.p95_ms} ms` }], yMax: a.plan.objective.p95_ms * 4 })}</div>
<p class="method">${esc(a.run_id)}: ${esc(methodLine(a))}</p>
<p class="method">${esc(b.run_id)}: ${esc(methodLine(b))}</p>
</body></html>
`;
}
