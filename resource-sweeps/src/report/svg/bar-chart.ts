/**
 * Horizontal bars: the largest load each configuration is known to hold, cheapest first, with
 * the target as a vertical line. Bars are coloured by status; a bar whose capacity is only a
 * lower bound (invalid trial, or passed the whole ladder) is drawn open-ended.
 */
import { escapeXml, formatNumber, niceTicks, STATUS_COLOR, text } from './svg-util.js';

export interface Bar {
  label: string;
  value: number;
  status: 'pass' | 'fail' | 'unknown';
  /** the true value may be higher than drawn */
  lowerBound: boolean;
  measured: boolean;
  tooltip: string;
}

export function renderBarChart(options: { title: string; xLabel: string; bars: Bar[]; target: number; width?: number }): string {
  const width = options.width ?? 720;
  const barH = 16;
  const margin = { left: 170, right: 24, top: 44, bottom: 40 };
  const height = margin.top + Math.max(1, options.bars.length) * (barH + 4) + margin.bottom;
  // headroom past the target so its label and the open-ended arrows stay inside the frame
  const ticks = niceTicks(0, 1.12 * Math.max(options.target, ...options.bars.map((b) => b.value)), 6);
  const max = ticks[ticks.length - 1] as number;
  const plotW = width - margin.left - margin.right;
  const sx = (v: number) => margin.left + (v / (max || 1)) * plotW;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(options.title)}" font-family="sans-serif" font-size="11">`);
  parts.push(text(width / 2, 18, options.title, 'text-anchor="middle" font-size="13" font-weight="bold"'));
  const bottom = height - margin.bottom;
  for (const t of ticks) {
    parts.push(`<line x1="${sx(t).toFixed(1)}" x2="${sx(t).toFixed(1)}" y1="${margin.top}" y2="${bottom}" stroke="#eee"/>`);
    parts.push(text(sx(t), bottom + 14, formatNumber(t), 'text-anchor="middle" fill="#444"'));
  }
  parts.push(text(margin.left + plotW / 2, bottom + 30, options.xLabel, 'text-anchor="middle"'));
  options.bars.forEach((b, i) => {
    const y = margin.top + i * (barH + 4);
    const color = STATUS_COLOR[b.status];
    parts.push(text(margin.left - 6, y + barH - 4, b.label, 'text-anchor="end"'));
    parts.push(
      `<rect x="${margin.left}" y="${y}" width="${Math.max(1, sx(b.value) - margin.left).toFixed(1)}" height="${barH}" fill="${color}" fill-opacity="${b.measured ? 0.85 : 0.3}"${b.measured ? '' : ` stroke="${color}" stroke-dasharray="3 2"`}><title>${escapeXml(b.tooltip)}</title></rect>`,
    );
    if (b.lowerBound) parts.push(`<path d="M${sx(b.value).toFixed(1)},${y} l8,${barH / 2} l-8,${barH / 2}" fill="${color}" fill-opacity="0.6"/>`);
    parts.push(text(sx(b.value) + (b.lowerBound ? 12 : 4), y + barH - 4, formatNumber(b.value), 'fill="#222"'));
  });
  parts.push(`<line x1="${sx(options.target).toFixed(1)}" x2="${sx(options.target).toFixed(1)}" y1="${margin.top - 4}" y2="${bottom}" stroke="#000" stroke-dasharray="5 3"/>`);
  parts.push(text(sx(options.target), margin.top - 8, `target ${formatNumber(options.target)}`, 'text-anchor="middle"'));
  parts.push('</svg>');
  return parts.join('');
}
