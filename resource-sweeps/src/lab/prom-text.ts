/** Values from Prometheus' text exposition format, enough for the lab's gauges and histogram sums. */

/** `name{labels} value` lines -> value of the first sample whose name (and labels, if given) match. */
export function promValue(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line.trim());
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) {
      const v = Number(m[3]);
      return Number.isFinite(v) ? v : null;
    }
  }
  return null;
}
