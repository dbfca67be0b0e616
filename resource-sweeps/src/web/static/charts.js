// Inline SVG charts for the live page, drawn in the browser. Same shapes and colours as the
// report's charts (src/report/svg/*.ts): Okabe-Ito palette, nice ticks, status colours for the
// pass/fail map. Plain script, no modules or network: the page must work offline.
(function () {
'use strict';

const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000', '#999999', '#7F3C8D'];
const STATUS_COLOR = { pass: '#009E73', fail: '#D55E00', unknown: '#BBBBBB' };

function esc(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function niceTicks(min, max, count) {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max <= min) max = min + 1;
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) || 10) * magnitude;
  const first = Math.floor(min / step) * step;
  const ticks = [];
  for (let v = first; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1] < max) ticks.push(Number((first + ticks.length * step).toPrecision(12)));
  return ticks;
}

function fmt(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  if (Math.abs(v) >= 10000) return `${Number((v / 1000).toPrecision(3))}k`;
  if (Math.abs(v) >= 100 || Number.isInteger(v)) return String(Math.round(v));
  return String(Number(v.toPrecision(3)));
}

function text(x, y, content, attrs) {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs || ''}>${esc(content)}</text>`;
}

/**
 * options: { title, xLabel, yLabel, series: [{ name, points: [{x, y, hollow}], step }], references: [{y, label}],
 *            width, height, yMax, id }
 */
function lineChart(options) {
  const width = options.width || 460;
  const series = options.series.filter((s) => s.points.length > 0);
  const legendRows = Math.ceil(series.length / 2);
  const height = (options.height || 200) + legendRows * 15;
  const m = { left: 52, right: 12, top: 26, bottom: 38 + legendRows * 15 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const pts = series.flatMap((s) => s.points);
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y).concat((options.references || []).map((r) => r.y));
  const xTicks = niceTicks(xs.length ? Math.min(...xs) : 0, xs.length ? Math.max(...xs) : 1, 6);
  const yTop = Math.min(options.yMax === undefined ? Infinity : options.yMax, ys.length ? Math.max(...ys, 0) : 1) || 1;
  const yTicks = niceTicks(0, yTop, 4);
  const x0 = xTicks[0];
  const x1 = xTicks[xTicks.length - 1];
  const y1 = yTicks[yTicks.length - 1];
  const sx = (x) => m.left + ((x - x0) / (x1 - x0 || 1)) * plotW;
  const sy = (y) => m.top + plotH - (Math.min(y, y1) / (y1 || 1)) * plotH;
  const parts = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(options.title)}" font-family="sans-serif" font-size="11"${options.id ? ` id="${esc(options.id)}"` : ''}>`);
  parts.push(text(width / 2, 15, options.title, 'text-anchor="middle" font-size="12" font-weight="bold"'));
  for (const t of yTicks) {
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#e5e5e5"/>`);
    parts.push(text(m.left - 5, sy(t) + 4, fmt(t), 'text-anchor="end" fill="#444"'));
  }
  for (const t of xTicks) parts.push(text(sx(t), m.top + plotH + 14, fmt(t), 'text-anchor="middle" fill="#444"'));
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  parts.push(text(m.left + plotW / 2, m.top + plotH + 29, options.xLabel, 'text-anchor="middle"'));
  parts.push(text(12, m.top + plotH / 2, options.yLabel, `text-anchor="middle" transform="rotate(-90 12 ${(m.top + plotH / 2).toFixed(1)})"`));
  for (const r of options.references || []) {
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${sy(r.y).toFixed(1)}" y2="${sy(r.y).toFixed(1)}" stroke="#D55E00" stroke-dasharray="4 3"/>`);
    parts.push(text(width - m.right - 4, sy(r.y) - 4, r.label, 'text-anchor="end" fill="#D55E00"'));
  }
  series.forEach((s, i) => {
    const color = s.color || PALETTE[i % PALETTE.length];
    const sorted = s.points.slice().sort((a, b) => a.x - b.x);
    if (sorted.length > 1) {
      let d = '';
      sorted.forEach((p, k) => {
        if (s.step && k > 0) d += ` ${sx(p.x).toFixed(1)},${sy(sorted[k - 1].y).toFixed(1)}`;
        d += ` ${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`;
      });
      parts.push(`<polyline points="${d.trim()}" fill="none" stroke="${color}" stroke-width="1.6"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    }
    if (sorted.length <= 60 || s.dots) {
      for (const p of sorted) parts.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="2.6" fill="${p.hollow ? '#fff' : color}" stroke="${color}"><title>${esc(`${s.name}: ${fmt(p.x)}, ${fmt(p.y)}`)}</title></circle>`);
    }
    const lx = m.left + (i % 2) * (plotW / 2);
    const ly = height - m.bottom + 40 + Math.floor(i / 2) * 15;
    parts.push(`<line x1="${lx}" x2="${lx + 16}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    parts.push(text(lx + 20, ly, s.name, 'fill="#222"'));
  });
  if (series.length === 0) parts.push(text(width / 2, m.top + plotH / 2, options.empty || 'no data yet', 'text-anchor="middle" fill="#888"'));
  parts.push('</svg>');
  return parts.join('');
}

function memLabel(mib) {
  return mib % 1024 === 0 ? `${mib / 1024}g` : `${mib}m`;
}

function configKey(c) {
  return `r${c.replicas}-c${c.cpus}-m${c.memory_mib}`;
}

/** map: { replicas, cpus, memory, target_users, cells: [{config, status, measured, held_users, trial_index}], best } */
function passFailMaps(map, runningKey) {
  const cell = { w: 62, h: 34 };
  const m = { left: 54, top: 36, right: 10, bottom: 34 };
  return map.replicas
    .map((replicas) => {
      const width = m.left + map.cpus.length * cell.w + m.right;
      const height = m.top + map.memory.length * cell.h + m.bottom;
      const rows = map.memory.slice().reverse();
      const parts = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="sans-serif" font-size="11" class="pfmap">`];
      parts.push(text(width / 2, 15, `${replicas} replica${replicas > 1 ? 's' : ''}: held ${fmt(map.target_users)} users?`, 'text-anchor="middle" font-size="12" font-weight="bold"'));
      parts.push(text(m.left + (map.cpus.length * cell.w) / 2, height - 6, 'CPU limit per replica', 'text-anchor="middle"'));
      map.cpus.forEach((c, i) => parts.push(text(m.left + i * cell.w + cell.w / 2, m.top + rows.length * cell.h + 13, String(c), 'text-anchor="middle" fill="#444"')));
      rows.forEach((mem, j) => {
        parts.push(text(m.left - 5, m.top + j * cell.h + cell.h / 2 + 4, memLabel(mem), 'text-anchor="end" fill="#444"'));
        map.cpus.forEach((c, i) => {
          const e = map.cells.find((x) => x.config.replicas === replicas && x.config.cpus === c && x.config.memory_mib === mem);
          const key = configKey({ replicas, cpus: c, memory_mib: mem });
          const status = e ? e.status : 'unknown';
          const measured = e ? e.measured : false;
          const best = map.best && configKey(map.best) === key;
          const running = runningKey === key;
          const x = m.left + i * cell.w;
          const y = m.top + j * cell.h;
          const label = !e ? '' : status === 'pass' ? `${fmt(map.target_users)}+` : e.held_users > 0 ? fmt(e.held_users) : status === 'fail' ? '0' : '?';
          const tip = `${replicas} x (${c} CPU, ${memLabel(mem)}): ${status}${measured ? ` (trial #${e.trial_index})` : e && status !== 'unknown' ? ' (inferred)' : ''}${running ? ' - running now' : ''}`;
          parts.push(
            `<rect data-config="${key}" data-status="${status}" data-measured="${measured}" x="${x + 2}" y="${y + 2}" width="${cell.w - 4}" height="${cell.h - 4}" rx="3" fill="${STATUS_COLOR[status]}" fill-opacity="${measured ? 0.9 : 0.3}" stroke="${best || running ? '#000' : STATUS_COLOR[status]}" stroke-width="${best || running ? 3 : 1}"${measured ? '' : ' stroke-dasharray="3 2"'}${running ? ' class="running"' : ''}><title>${esc(tip)}</title></rect>`,
          );
          parts.push(text(x + cell.w / 2, y + cell.h / 2 + 4, `${best ? '* ' : ''}${running && status === 'unknown' ? 'now' : label}`, `text-anchor="middle" fill="${measured ? '#fff' : '#222'}" font-weight="${best || running ? 'bold' : 'normal'}"`));
        });
      });
      parts.push('</svg>');
      return parts.join('');
    })
    .join('');
}

window.RsCharts = { lineChart, passFailMaps, fmt, esc, memLabel, configKey, PALETTE, STATUS_COLOR };
})();
