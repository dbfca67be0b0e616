// JSON text exactly as Python's json.dumps writes it (what `mlflow models serve` answers with):
// ", " and ": " separators, non-ASCII escaped (ensure_ascii), floats in repr() form
// (1.0 not 1, 1e-05 not 0.00001, NaN/Infinity literals). JavaScript cannot tell 1.0 from 1, so
// callers say which numbers are floats: values wrapped with pyFloatValue() or typed columns.

/** Python's repr() of a float, from the same shortest round-trip digits JavaScript uses. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  // repr() switches to exponent notation below 1e-4 and from 1e16 on (float_repr_style 'short').
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

const SHORT_ESCAPES: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x08: '\\b', 0x0c: '\\f' };

/** json.dumps(str) with ensure_ascii=True: everything outside printable ASCII becomes \\uXXXX. */
export function pyString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(start, i) + (SHORT_ESCAPES[c] ?? `\\u${c.toString(16).padStart(4, '0')}`);
    start = i + 1;
  }
  return `${out}${s.slice(start)}"`;
}

/** Marks a number as a Python float for pyDumps. */
export class PyFloat {
  constructor(readonly value: number) {}
}
export const pyFloatValue = (x: number) => new PyFloat(x);

/** json.dumps for plain data. Numbers are ints unless wrapped in PyFloat (or not integral). */
export function pyDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof PyFloat) return pyFloat(value.value);
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isInteger(value) ? String(value) : pyFloat(value);
    case 'bigint':
      return value.toString();
    case 'string':
      return pyString(value);
    case 'object':
      if (Array.isArray(value)) return `[${value.map(pyDumps).join(', ')}]`;
      return `{${Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => `${pyString(k)}: ${pyDumps(v)}`)
        .join(', ')}}`;
    default:
      return 'null';
  }
}
