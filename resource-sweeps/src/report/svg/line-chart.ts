/**
 * A line chart as an SVG string: numeric x and y axes with nice ticks, one polyline per series
 * with a legend, and optional horizontal reference lines (the objective, 100 % of a limit).
 * Pure and self-contained: no fonts, scripts or network needed to view it.
 */
import { DASHES, PALETTE, escapeXml, formatNumber, niceTicks, text } from './svg-util.js';

export interface Point {
  x: number;
  y: number;
  /** drawn hollow: e.g. a failed or invalid step */
  hollow?: boolean;
}

export interface Series {
  name: string;
  points: Point[];
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  references?: { y: number; label: string }[];
  width?: number;
  height?: number;
  /** clamp the y axis at this maximum (values above are drawn at the top edge) */
  yMax?: number;
}

export function renderLineChart(options: LineChartOptions): string {
  const width = options.width ?? 720;
  // legend columns by name length, so long names (image tags, configurations) never overlap
  const longest = Math.max(0, ...options.series.map((s) => s.name.length));
  const columns = longest > 44 ? 1 : longest > 28 ? 2 : 3;
  const legendRows = Math.ceil(options.series.length / columns);
  const height = (options.height ?? 320) + legendRows * 16;
  const margin = { left: 64, right: 16, top: 32, bottom: 48 + legendRows * 16 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const points = options.series.flatMap((s) => s.points);
  const xs = points.map((p) => p.x);
  const ys = [...points.map((p) => p.y), ...(options.references ?? []).map((r) => r.y)];
  const xTicks = niceTicks(xs.length ? Math.min(...xs) : 0, xs.length ? Math.max(...xs) : 1, 8);
  const yCap = options.yMax ?? Infinity;
  const yTicks = niceTicks(0, Math.min(yCap, ys.length ? Math.max(...ys, 0) : 1) || 1, 5);
  const x0 = xTicks[0] as number;
  const x1 = xTicks[xTicks.length - 1] as number;
  const y1 = yTicks[yTicks.length - 1] as number;
  const sx = (x: number) => margin.left + ((x - x0) / (x1 - x0 || 1)) * plotW;
  const sy = (y: number) => margin.top + plotH - (Math.min(y, y1) / (y1 || 1)) * plotH;

  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(options.title)}" font-family="sans-serif" font-size="11">`);
  parts.push(text(width / 2, 18, options.title, 'text-anchor="middle" font-size="13" font-weight="bold"'));
  for (const t of yTicks) {
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#e5e5e5"/>`);
    parts.push(text(margin.left - 6, sy(t) + 4, formatNumber(t), 'text-anchor="end" fill="#444"'));
  }
  for (const t of xTicks) parts.push(text(sx(t), margin.top + plotH + 16, formatNumber(t), 'text-anchor="middle" fill="#444"'));
  parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  parts.push(text(margin.left + plotW / 2, margin.top + plotH + 34, options.xLabel, 'text-anchor="middle"'));
  parts.push(text(14, margin.top + plotH / 2, options.yLabel, `text-anchor="middle" transform="rotate(-90 14 ${(margin.top + plotH / 2).toFixed(1)})"`));
  for (const r of options.references ?? []) {
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${sy(r.y).toFixed(1)}" y2="${sy(r.y).toFixed(1)}" stroke="#D55E00" stroke-dasharray="4 3"/>`);
    parts.push(text(width - margin.right - 4, sy(r.y) - 4, r.label, 'text-anchor="end" fill="#D55E00"'));
  }
  options.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length] as string;
    const dash = DASHES[Math.floor(i / PALETTE.length) % DASHES.length] as string;
    const sorted = [...s.points].sort((a, b) => a.x - b.x);
    if (sorted.length > 1) {
      const d = sorted.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
      parts.push(`<polyline points="${d}" fill="none" stroke="${color}" stroke-width="1.6"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    }
    for (const p of sorted) {
      parts.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="2.8" fill="${p.hollow ? '#fff' : color}" stroke="${color}"><title>${escapeXml(`${s.name}: ${formatNumber(p.x)}, ${formatNumber(p.y)}`)}</title></circle>`);
    }
    const lx = margin.left + (i % columns) * (plotW / columns);
    const ly = height - margin.bottom + 48 + Math.floor(i / columns) * 16;
    parts.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    parts.push(text(lx + 22, ly, s.name, 'fill="#222"'));
  });
  if (options.series.length === 0) parts.push(text(width / 2, margin.top + plotH / 2, 'no data yet', 'text-anchor="middle" fill="#888"'));
  parts.push('</svg>');
  return parts.join('');
}
