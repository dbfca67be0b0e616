/**
 * Shared pieces of the report's SVG charts: escaping, "nice" axis ticks, a palette that stays
 * readable in print and for common colour blindness (Okabe-Ito), and number formatting.
 */

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Okabe-Ito plus greys: distinguishable without relying on red/green. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000', '#999999', '#7F3C8D'];
export const DASHES = ['', '6 3', '2 3', '8 3 2 3'];

export const STATUS_COLOR = { pass: '#009E73', fail: '#D55E00', unknown: '#BBBBBB' } as const;

/** Ticks at 1, 2, 2.5 or 5 x 10^k covering [min, max], about `count` of them. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max <= min) max = min + 1;
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = first; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if ((ticks[ticks.length - 1] as number) < max) ticks.push(Number((first + ticks.length * step).toPrecision(12)));
  return ticks;
}

export function formatNumber(v: number): string {
  if (Math.abs(v) >= 10_000) return `${Number((v / 1000).toPrecision(3))}k`;
  if (Math.abs(v) >= 100 || Number.isInteger(v)) return String(Math.round(v));
  return String(Number(v.toPrecision(3)));
}

export function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${escapeXml(content)}</text>`;
}
