/**
 * Human units in plans: durations ("10s", "2m", "1m30s", "500ms", or a number of seconds) and
 * memory sizes ("128m", "512MiB", "1g", "1.5GiB", or a number of MiB). Docker reads "128m" as
 * 128 MiB, so plain m/g and MiB/GiB are the same thing here; "MB"/"GB" are accepted as the
 * same binary units because that is what every Docker user means by them.
 */
import { z } from 'zod';

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
const DURATION_FACTOR: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** Seconds for "1m30s"-style text, or null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Number(trimmed);
  let total = 0;
  let consumed = 0;
  DURATION_PART.lastIndex = 0;
  for (let match = DURATION_PART.exec(trimmed); match; match = DURATION_PART.exec(trimmed)) {
    total += Number(match[1]) * (DURATION_FACTOR[match[2] as string] as number);
    consumed = DURATION_PART.lastIndex;
  }
  return consumed === trimmed.length ? total : null;
}

/** "12s", "2m30s", "1h5m" — short text for seconds, for reports and k6 stage durations. */
export function formatDuration(seconds: number): string {
  if (seconds < 1 && seconds > 0) return `${Math.round(seconds * 1000)}ms`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', rest || (!h && !m) ? `${rest}s` : ''].join('');
}

const MEMORY = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i;
const MEMORY_FACTOR_MIB: Record<string, number> = {
  b: 1 / (1024 * 1024),
  k: 1 / 1024,
  kb: 1 / 1024,
  kib: 1 / 1024,
  m: 1,
  mb: 1,
  mib: 1,
  g: 1024,
  gb: 1024,
  gib: 1024,
};

/** MiB for "512m"-style text (a bare number is MiB), or null when the text is not a size. */
export function parseMemoryMib(text: string): number | null {
  const match = MEMORY.exec(text.trim());
  if (!match) return null;
  const unit = (match[2] ?? 'm').toLowerCase();
  return Number(match[1]) * (MEMORY_FACTOR_MIB[unit] as number);
}

/** "512m", "1g", "1536m": the spelling Docker and compose accept, for MiB values. */
export function formatMemory(mib: number): string {
  if (mib >= 1024 && mib % 1024 === 0) return `${mib / 1024}g`;
  return `${Math.round(mib)}m`;
}

/** A duration field: number of seconds or duration text; always seconds after parsing. */
export const DurationSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const seconds = typeof value === 'number' ? value : parseDuration(value);
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like "10s", "2m", "1m30s" or a number of seconds, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return seconds;
});

/** A memory field: number of MiB or size text; always whole MiB after parsing (at least 6, Docker's floor). */
export const MemoryMibSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const mib = typeof value === 'number' ? value : parseMemoryMib(value);
  if (mib === null || !Number.isFinite(mib)) {
    ctx.addIssue({ code: 'custom', message: `expected a memory size like "256m", "1g" or a number of MiB, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  if (mib < 6) {
    ctx.addIssue({ code: 'custom', message: `memory limit ${JSON.stringify(value)} is below Docker's minimum of 6m` });
    return z.NEVER;
  }
  return Math.round(mib);
});
