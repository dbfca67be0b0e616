/**
 * Several sweeps side by side (ours against `mlflow models serve` and the workshop's FastAPI
 * server on the same model and plan, or two versions of ours): renderings of compare.json
 * (summary/compare-doc.ts) as Markdown and HTML with charts: the minimum per target and its CPU
 * and memory against ours, the largest load each held at equal (replicas, CPU) limits, CPU per
 * request, and p95 against users at each target's minimum. Pure.
 */
import { configKey, describeConfig } from '../core/config-space.js';
import { ratioText, type CompareDoc } from '../summary/compare-doc.js';
import { users } from '../summary/findings.js';
import type { Summary } from '../summary/summary-schema.js';
import { htmlTable, PAGE_STYLE } from './report-html.js';
import { markdownTable } from './report-md.js';
import { methodLine } from './report-text.js';
import { renderLineChart } from './svg/line-chart.js';
import { escapeXml as esc, formatNumber, niceTicks, PALETTE, text } from './svg/svg-util.js';

type Held = CompareDoc['equal_limits'][number]['held'][string];

function heldCell(h: Held, targetUsers: number): string {
  if (!h) return 'not run';
  const v = h.status === 'pass' ? `${users(targetUsers)}+` : h.status === 'unknown' ? `>= ${users(h.users)} (undecided)` : users(h.users);
  return `${v} at ${h.memory_mib}m${h.measured ? '' : ' (inferred)'}`;
}

const limitText = (r: { replicas: number; cpus: number }) => `${r.replicas} x ${r.cpus} CPU`;

function targetRows(doc: CompareDoc): { head: string[]; rows: string[][] } {
  const head = ['target', 'image', 'minimum', 'CPU / memory in total', 'CPU vs ' + doc.reference, 'memory vs ' + doc.reference, 'API CPU per request', 'most held', 'undecided', 'trials', 'run'];
  const rows = doc.targets.map((t) => {
    const v = t.versus_reference;
    return [
      t.name,
      t.image,
      t.minimum ? t.minimum.text : 'none in its grid',
      t.minimum ? `${t.minimum.total_cpus} CPU / ${t.minimum.total_memory_mib} MiB` : '-',
      v ? ratioText(v.cpu, 'CPU') : 'reference',
      v ? ratioText(v.memory, 'memory') : 'reference',
      t.cpu_us_per_request ? `${t.cpu_us_per_request.median.toLocaleString('en-US')} µs${v?.cpu_per_request ? ` (${v.cpu_per_request}x)` : ''}` : '-',
      t.most_held ? `${users(t.most_held.users)} (${describeConfig(t.most_held.config)})` : '-',
      String(t.undecided),
      String(t.trials),
      `${t.run_id}${t.reused ? ' (reused)' : ''}${t.complete ? '' : ' (incomplete)'}`,
    ];
  });
  return { head, rows };
}

function equalRows(doc: CompareDoc): { head: string[]; rows: string[][] } {
  return {
    head: ['limits per replica', ...doc.targets.map((t) => t.name)],
    rows: doc.equal_limits.map((r) => [limitText(r), ...doc.targets.map((t) => heldCell(r.held[t.name] ?? null, doc.target_users))]),
  };
}

/** Grouped horizontal bars: users held at each (replicas, CPU) limit, one bar per target. */
function groupedBars(doc: CompareDoc): string {
  const n = Math.max(1, doc.targets.length);
  const width = 720;
  const barH = 9;
  const group = n * barH + 8;
  const margin = { left: 120, right: 24, top: 44, bottom: 40 };
  const height = margin.top + Math.max(1, doc.equal_limits.length) * group + margin.bottom;
  const ticks = niceTicks(0, 1.12 * Math.max(doc.target_users, 1), 6);
  const top = ticks[ticks.length - 1] as number;
  const sx = (v: number) => margin.left + (v / top) * (width - margin.left - margin.right);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="sans-serif" font-size="11" role="img" aria-label="users held at equal limits, every target">`];
  parts.push(text(width / 2, 16, 'Largest load held at equal limits (users)', 'text-anchor="middle" font-size="13" font-weight="bold"'));
  doc.targets.forEach((t, i) => {
    parts.push(`<rect x="${margin.left + i * 180}" y="26" width="12" height="10" fill="${PALETTE[i % PALETTE.length]}"/>`);
    parts.push(text(margin.left + i * 180 + 16, 35, t.name));
  });
  parts.push(`<line x1="${sx(doc.target_users).toFixed(1)}" x2="${sx(doc.target_users).toFixed(1)}" y1="${margin.top - 4}" y2="${height - margin.bottom}" stroke="#888" stroke-dasharray="4 3"/>`);
  for (const t of ticks) parts.push(text(sx(t), height - margin.bottom + 14, formatNumber(t), 'text-anchor="middle" fill="#444"'));
  doc.equal_limits.forEach((r, i) => {
    const y = margin.top + i * group;
    parts.push(text(margin.left - 6, y + (n * barH) / 2 + 4, limitText(r), 'text-anchor="end"'));
    doc.targets.forEach((t, j) => {
      const h = r.held[t.name];
      if (!h) return;
      const w = Math.max(1, sx(h.users) - margin.left);
      parts.push(`<rect x="${margin.left}" y="${y + j * barH}" width="${w.toFixed(1)}" height="${barH - 1}" fill="${PALETTE[j % PALETTE.length]}" fill-opacity="${h.measured ? 0.9 : 0.35}"><title>${esc(`${t.name}, ${limitText(r)}: ${heldCell(h, doc.target_users)}`)}</title></rect>`);
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Horizontal bars on a log scale: API CPU per request answered, per target. */
function costBars(doc: CompareDoc): string {
  const rows = doc.targets.filter((t) => t.cpu_us_per_request);
  const width = 720;
  const barH = 18;
  const margin = { left: 120, right: 90, top: 32, bottom: 16 };
  const height = margin.top + Math.max(1, rows.length) * (barH + 6) + margin.bottom;
  const values = rows.map((t) => t.cpu_us_per_request?.median ?? 1);
  const lo = 10;
  const hi = Math.max(lo * 10, ...values) * 1.2;
  const sx = (v: number) => margin.left + (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) * (width - margin.left - margin.right);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="sans-serif" font-size="11" role="img" aria-label="API CPU per request answered">`];
  parts.push(text(width / 2, 16, 'API CPU per request answered (µs, log scale; median over valid steps)', 'text-anchor="middle" font-size="13" font-weight="bold"'));
  rows.forEach((t, i) => {
    const y = margin.top + i * (barH + 6);
    const v = t.cpu_us_per_request?.median ?? 0;
    const j = doc.targets.indexOf(t);
    parts.push(text(margin.left - 6, y + barH / 2 + 4, t.name, 'text-anchor="end"'));
    parts.push(`<rect x="${margin.left}" y="${y}" width="${Math.max(1, sx(v) - margin.left).toFixed(1)}" height="${barH}" fill="${PALETTE[j % PALETTE.length]}"/>`);
    parts.push(text(sx(v) + 4, y + barH / 2 + 4, `${v.toLocaleString('en-US')} µs`));
  });
  parts.push('</svg>');
  return parts.join('');
}

function minimumSeries(doc: CompareDoc, summaries: ReadonlyMap<string, Summary>) {
  return doc.targets.flatMap((t) => {
    const s = summaries.get(t.name);
    const config = t.minimum?.config ?? t.most_held?.config;
    if (!s || !config) return [];
    const trial = s.trials.filter((x) => configKey(x.config) === configKey(config) && x.valid).at(-1) ?? s.trials.filter((x) => configKey(x.config) === configKey(config)).at(-1);
    return trial ? [{ name: `${t.name}: ${describeConfig(config)}`, points: trial.steps.map((st) => ({ x: st.users, y: st.p95_ms, hollow: !st.pass })) }] : [];
  });
}

const title = (doc: CompareDoc) => `${doc.targets.map((t) => t.name).join(' vs ')}: ${users(doc.target_users)} users`;

export function renderComparisonMarkdown(doc: CompareDoc, summaries: ReadonlyMap<string, Summary>): string {
  const t = targetRows(doc);
  const e = equalRows(doc);
  return [
    `# ${title(doc)}`,
    '',
    ...doc.findings.map((f) => `- ${f}`),
    '',
    '## Minimum per target',
    '',
    markdownTable(t.head, t.rows),
    '',
    `Ratios are the target's minimum over ${doc.reference}'s (total CPU and memory over all replicas). "More than" is a bound: the target's largest configuration that failed (measured or inferred) had that much CPU. API CPU per request is the containers' CPU over the requests they answered without error, the median of the target's valid steps within the error objective (all its valid steps when none was); it depends on the rate, and a saturated server is measured at its cheapest.`,
    '',
    '## Largest load held at equal limits (users)',
    '',
    markdownTable(e.head, e.rows),
    '',
    ...doc.targets.flatMap((x) => {
      const s = summaries.get(x.name);
      return s ? [`_${x.name} (${x.run_id}): ${methodLine(s)}_`, ''] : [];
    }),
  ].join('\n');
}

export function renderComparisonHtml(doc: CompareDoc, summaries: ReadonlyMap<string, Summary>): string {
  const t = targetRows(doc);
  const e = equalRows(doc);
  const objective = doc.objective.p95_ms;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title(doc))}</title><style>${PAGE_STYLE}</style></head>
<body>
<h1>${esc(title(doc))}</h1>
<ul>${doc.findings.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>
<h2>Minimum per target</h2>
${htmlTable(t.head, t.rows)}
<div class="chart">${costBars(doc)}</div>
<h2>Largest load held at equal limits</h2>
<div class="chart">${groupedBars(doc)}</div>
${htmlTable(e.head, e.rows)}
<h2>p95 against users at each target's minimum (or the configuration that held most)</h2>
<div class="chart">${renderLineChart({ title: 'p95 latency against users', xLabel: 'concurrent users', yLabel: 'p95, ms', series: minimumSeries(doc, summaries), references: [{ y: objective, label: `objective ${objective} ms` }], yMax: objective * 4 })}</div>
${doc.targets
  .map((x) => {
    const s = summaries.get(x.name);
    return s ? `<p class="method">${esc(x.name)} (${esc(x.run_id)}): ${esc(methodLine(s))}</p>` : '';
  })
  .join('\n')}
</body></html>
`;
}
