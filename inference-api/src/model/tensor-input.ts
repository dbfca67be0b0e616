// Tensor-shaped requests (/invocations "inputs"/"instances" for tensor-based models, and the Open
// Inference Protocol's /v2 infer) -> an encoded batch for the graph inputs. Values may be nested
// arrays or flat arrays plus a shape; every problem is reported with the input's name.
import type { FieldIssue } from '../errors.js';
import type { EncodedBatch, InputMapping, InputSlot } from './input-mapping.js';

export interface TensorValue {
  name: string;
  data: unknown;
  /** Declared shape (OIP); nested data carries its own. */
  shape?: number[];
}

export type EncodeResult = { ok: true; batch: EncodedBatch } | { ok: false; fields: FieldIssue[] };

/** Flattens rectangular nested arrays; returns null when ragged. */
export function flattenNested(value: unknown): { shape: number[]; flat: unknown[] } | null {
  if (!Array.isArray(value)) return { shape: [], flat: [value] };
  const shape: number[] = [];
  let probe: unknown = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const flat: unknown[] = [];
  const walk = (v: unknown, depth: number): boolean => {
    if (depth === shape.length) {
      if (Array.isArray(v)) return false;
      flat.push(v);
      return true;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) return false;
    return v.every((x) => walk(x, depth + 1));
  };
  return walk(value, 0) ? { shape, flat } : null;
}

export function encodeTensors(inputs: Pick<InputMapping, 'slots' | 'allocate'>, values: readonly TensorValue[], maxRows: number): EncodeResult {
  const fields: FieldIssue[] = [];
  const byName = new Map(values.map((v) => [v.name, v]));
  const unnamed = inputs.slots.length === 1 && values.length === 1 && !byName.has(inputs.slots[0]!.name) ? values[0] : undefined;
  for (const v of values) {
    if (!inputs.slots.some((s) => s.name === v.name) && !unnamed) fields.push({ field: v.name, message: `unknown input; the model's inputs are ${inputs.slots.map((s) => s.name).join(', ')}` });
  }
  const prepared: { slot: InputSlot; flat: unknown[]; n: number }[] = [];
  for (const slot of inputs.slots) {
    const value = byName.get(slot.name) ?? unnamed;
    if (!value) {
      fields.push({ field: slot.name, message: `is missing; expected a ${slot.type} tensor of shape [N, ${slot.rowShape.join(', ')}]` });
      continue;
    }
    const nested = flattenNested(value.data);
    if (!nested) {
      fields.push({ field: slot.name, message: 'is a ragged nested array; every row must have the same shape' });
      continue;
    }
    const shape = value.shape ?? nested.shape;
    const total = shape.reduce((a, b) => a * b, 1);
    if (shape.length === 0 || total !== nested.flat.length) {
      fields.push({ field: slot.name, message: `shape [${shape.join(', ')}] does not match the ${nested.flat.length} values sent` });
      continue;
    }
    const n = shape[0]!;
    const rowSize = total / Math.max(n, 1);
    if (n === 0 || rowSize !== slot.rowSize) {
      fields.push({ field: slot.name, message: `has shape [${shape.join(', ')}]; the model expects [N, ${slot.rowShape.join(', ')}]` });
      continue;
    }
    const bad = nested.flat.findIndex((x) => !valueFits(slot, x));
    if (bad >= 0) {
      fields.push({ field: `${slot.name}[${bad}]`, message: `must be ${slot.type === 'string' ? 'a string' : slot.type === 'bool' ? 'a boolean' : 'a finite number'}, got ${JSON.stringify(nested.flat[bad]) ?? 'undefined'}` });
      continue;
    }
    prepared.push({ slot, flat: nested.flat, n });
  }
  if (fields.length > 0) return { ok: false, fields };
  const counts = new Set(prepared.map((p) => p.n));
  if (counts.size !== 1) return { ok: false, fields: prepared.map((p) => ({ field: p.slot.name, message: `has ${p.n} rows; all inputs need the same row count` })) };
  const n = prepared[0]!.n;
  if (n === 0) return { ok: false, fields: prepared.map((p) => ({ field: p.slot.name, message: 'has no rows' })) };
  if (n > maxRows) return { ok: false, fields: [{ field: prepared[0]!.slot.name, message: `has ${n} rows; the limit is ${maxRows} (PREDICT_MAX_ROWS)` }] };
  const batch = inputs.allocate(n);
  inputs.slots.forEach((slot, s) => {
    const target = batch.arrays[s]!;
    const flat = prepared.find((p) => p.slot === slot)!.flat;
    for (let i = 0; i < flat.length; i++) {
      const x = flat[i];
      if (slot.type === 'int64') (target as BigInt64Array)[i] = BigInt(x as number);
      else if (slot.type === 'string') (target as string[])[i] = x as string;
      else if (slot.type === 'bool') (target as Uint8Array)[i] = x ? 1 : 0;
      else (target as Float32Array)[i] = x as number;
    }
  });
  return { ok: true, batch };
}

function valueFits(slot: InputSlot, x: unknown): boolean {
  if (slot.type === 'string') return typeof x === 'string';
  if (slot.type === 'bool') return typeof x === 'boolean';
  if (typeof x !== 'number' || !Number.isFinite(x)) return false;
  return slot.type.startsWith('int') ? Number.isInteger(x) : true;
}
