/**
 * The pass/fail map of one replica count: CPU limits across, memory limits down, each cell
 * coloured by its status at the target load; solid when measured, pale and dashed when
 * inferred from another trial; the cell's known capacity written in it; the minimum outlined.
 */
import { sameConfig, type TrialConfig } from '../../core/config-space.js';
import { formatMemory } from '../../plan/units.js';
import type { Evidence } from '../../summary/summary-schema.js';
import { STATUS_COLOR, escapeXml, formatNumber, text } from './svg-util.js';

export interface PassFailMapOptions {
  replicas: number;
  cpus: readonly number[];
  memory: readonly number[];
  cells: readonly Evidence[];
  best: TrialConfig | null;
  targetUsers: number;
}

function capacityLabel(e: Evidence, target: number): string {
  if (e.status === 'pass') return `${formatNumber(target)}+`;
  if (e.upper_users !== null) return `${formatNumber(e.held_users)}`;
  return e.held_users > 0 ? `>=${formatNumber(e.held_users)}` : '?';
}

export function renderPassFailMap(options: PassFailMapOptions): string {
  const cell = { w: 66, h: 38 };
  const margin = { left: 58, top: 40, right: 12, bottom: 40 };
  const width = margin.left + options.cpus.length * cell.w + margin.right;
  const height = margin.top + options.memory.length * cell.h + margin.bottom;
  const rowsTopDown = [...options.memory].reverse();
  const parts: string[] = [];
  const title = `${options.replicas} replica${options.replicas > 1 ? 's' : ''}: held ${formatNumber(options.targetUsers)} users?`;
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(title)}" font-family="sans-serif" font-size="11">`);
  parts.push(text(width / 2, 16, title, 'text-anchor="middle" font-size="12" font-weight="bold"'));
  parts.push(text(margin.left + (options.cpus.length * cell.w) / 2, height - 8, 'CPU limit per replica', 'text-anchor="middle"'));
  parts.push(text(12, margin.top - 8, 'memory', 'fill="#444"'));
  options.cpus.forEach((c, i) => parts.push(text(margin.left + i * cell.w + cell.w / 2, margin.top + rowsTopDown.length * cell.h + 14, String(c), 'text-anchor="middle" fill="#444"')));
  rowsTopDown.forEach((m, j) => {
    parts.push(text(margin.left - 6, margin.top + j * cell.h + cell.h / 2 + 4, formatMemory(m), 'text-anchor="end" fill="#444"'));
    options.cpus.forEach((c, i) => {
      const e = options.cells.find((x) => x.config.replicas === options.replicas && x.config.cpus === c && x.config.memory_mib === m);
      const x = margin.left + i * cell.w;
      const y = margin.top + j * cell.h;
      const status = e?.status ?? 'unknown';
      const measured = e?.measured ?? false;
      const isBest = options.best !== null && e !== undefined && sameConfig(options.best, e.config);
      const tip = e ? `${options.replicas} x (${c} CPU, ${formatMemory(m)}): ${status}${measured ? ` (trial #${e.trial_index})` : e.inferred_from ? ` (inferred: ${e.inferred_from.why})` : ' (not run)'}` : 'not in the plan';
      parts.push(
        `<rect x="${x + 2}" y="${y + 2}" width="${cell.w - 4}" height="${cell.h - 4}" rx="3" fill="${STATUS_COLOR[status]}" fill-opacity="${measured ? 0.9 : 0.3}" stroke="${isBest ? '#000' : STATUS_COLOR[status]}" stroke-width="${isBest ? 3 : 1}"${measured ? '' : ' stroke-dasharray="3 2"'}><title>${escapeXml(tip)}</title></rect>`,
      );
      if (e) parts.push(text(x + cell.w / 2, y + cell.h / 2 + 4, `${isBest ? '* ' : ''}${capacityLabel(e, options.targetUsers)}`, `text-anchor="middle" fill="${measured ? '#fff' : '#222'}" font-weight="${isBest ? 'bold' : 'normal'}"`));
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

/** The map's legend, once per report. */
export function renderMapLegend(): string {
  const items: [string, string, boolean][] = [
    ['pass (measured)', STATUS_COLOR.pass, true],
    ['fail (measured)', STATUS_COLOR.fail, true],
    ['pass (inferred)', STATUS_COLOR.pass, false],
    ['fail (inferred)', STATUS_COLOR.fail, false],
    ['unknown', STATUS_COLOR.unknown, false],
  ];
  const parts = ['<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 720 24" width="720" height="24" font-family="sans-serif" font-size="11">'];
  items.forEach(([label, color, measured], i) => {
    const x = 4 + i * 140;
    parts.push(`<rect x="${x}" y="4" width="16" height="14" fill="${color}" fill-opacity="${measured ? 0.9 : 0.3}" stroke="${color}"${measured ? '' : ' stroke-dasharray="3 2"'}/>`);
    parts.push(text(x + 22, 15, label));
  });
  parts.push('</svg>');
  return parts.join('');
}
