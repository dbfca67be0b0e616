// MLflow's scoring protocol, output side, byte for byte: a DataFrame input gives
// {"predictions": [records]} (pandas to_dict("records") of one column per graph output, in
// graph order); a tensor input gives {"predictions": {output: nested lists}}. Text is written
// like Python's json.dumps; float32 values print as the float64 they widen to.
import { nest, type OutputMap, type OutputTensor } from '../model/output-mapping.js';
import { pyFloat, pyString } from './py-json.js';

function formatter(t: OutputTensor): (v: unknown) => string {
  if (t.type === 'string') return (v) => pyString(String(v));
  if (t.type === 'bool') return (v) => (v ? 'true' : 'false');
  if (t.type.startsWith('float')) return (v) => pyFloat(Number(v));
  return (v) => String(v);
}

function listText(values: unknown): string {
  return Array.isArray(values) ? `[${values.map(listText).join(', ')}]` : (values as string);
}

export function renderRecords(outputs: OutputMap, order: readonly string[], offset: number, n: number): string {
  const columns = order.map((name) => {
    const t = outputs[name]!;
    const width = t.dims.slice(1).reduce((a, b) => a * b, 1);
    return { key: pyString(name), t, width, inner: t.dims.slice(1), fmt: formatter(t) };
  });
  const rows = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const r = offset + i;
    const parts = columns.map((c) => {
      if (c.width === 1) return `${c.key}: ${c.fmt(c.t.data[r])}`;
      // MLflow cannot build a DataFrame from an [N, k] output next to an [N] one and fails; we
      // answer with the row's values as a list instead (documented deviation).
      const flat = Array.from({ length: c.width }, (_, j) => c.fmt(c.t.data[r * c.width + j]));
      return `${c.key}: ${listText(nest(flat, c.inner))}`;
    });
    rows[i] = `{${parts.join(', ')}}`;
  }
  return `{"predictions": [${rows.join(', ')}]}`;
}

export function renderTensorDict(outputs: OutputMap, order: readonly string[], offset: number, n: number): string {
  const parts = order.map((name) => {
    const t = outputs[name]!;
    const width = t.dims.slice(1).reduce((a, b) => a * b, 1);
    const fmt = formatter(t);
    const flat = Array.from({ length: n * width }, (_, j) => fmt(t.data[offset * width + j]));
    return `${pyString(name)}: ${listText(nest(flat, [n, ...t.dims.slice(1)]))}`;
  });
  return `{"predictions": {${parts.join(', ')}}}`;
}
