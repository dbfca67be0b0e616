// How request rows become ONNX feeds. Built once at startup from the MLflow signature and the
// graph's inputs, it yields (1) the zod schema of one request row, which drives validation, types
// and OpenAPI, and (2) a writer that copies a validated row into preallocated typed arrays.
//
// Layouts:
//  - packed-columns: column signature, one graph input [N, k]  (the default model: 30 doubles -> float32 [N, 30])
//  - column-inputs:  column signature, one graph input per column, named like it ([N] or [N, 1])
//  - tensors:        tensor signature (or none), one row value per graph input, shaped like it minus the batch dim
import { z } from 'zod';
import { StartupError } from '../errors.js';
import type { ColumnType, Signature } from './mlmodel.js';

export type SlotType = 'float32' | 'float64' | 'int32' | 'int64' | 'bool' | 'string';
export type SlotArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | string[];

export interface GraphValue {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: readonly (number | string)[];
}

export interface InputSlot {
  name: string;
  type: SlotType;
  /** Dimensions of one row's value (the graph shape without the batch dimension). */
  rowShape: number[];
  rowSize: number;
}

export type FieldKind = 'number' | 'integer' | 'boolean' | 'string';

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  required: boolean;
  /** Tensor fields hold nested arrays of this shape; column fields are scalars ([]). */
  rowShape: number[];
  slot: number;
  offset: number;
}

export type Row = Record<string, unknown>;

export interface EncodedBatch {
  n: number;
  arrays: SlotArray[];
}

export interface InputMapping {
  layout: 'packed-columns' | 'column-inputs' | 'tensors';
  fields: FieldSpec[];
  slots: InputSlot[];
  rowSchema: z.ZodType<Row>;
  allocate(n: number): EncodedBatch;
  write(batch: EncodedBatch, index: number, row: Row): void;
}

const SLOT_TYPES = new Set<SlotType>(['float32', 'float64', 'int32', 'int64', 'bool', 'string']);
const NUMERIC_COLUMN: Record<ColumnType, FieldKind> = {
  double: 'number',
  float: 'number',
  long: 'integer',
  integer: 'integer',
  boolean: 'boolean',
  string: 'string',
};

export function createInputMapping(signature: Signature | null, graphInputs: readonly GraphValue[], where: string): InputMapping {
  const fail = (why: string) => new StartupError('PREDICT_ERR_MODEL_FORMAT', `${where}: ${why}`);
  const slots = graphInputs.map((g) => toSlot(g, fail));
  if (signature?.kind === 'columns') {
    const cols = signature.columns;
    const byName = new Map(slots.map((s, i) => [s.name, i]));
    if (slots.length > 1 || (slots.length === 1 && cols.length === 1 && byName.has(cols[0]!.name))) {
      const missing = cols.filter((c) => !byName.has(c.name)).map((c) => c.name);
      if (missing.length > 0 || cols.length !== slots.length) {
        throw fail(`the signature's columns (${cols.map((c) => c.name).join(', ')}) do not match the graph inputs (${slots.map((s) => s.name).join(', ')})`);
      }
      const fields = cols.map((c) => {
        const slot = byName.get(c.name)!;
        if (slots[slot]!.rowSize !== 1) throw fail(`graph input "${c.name}" must hold one value per row, has shape ${slots[slot]!.rowShape}`);
        return field(c.name, NUMERIC_COLUMN[c.type], c.required, [], slot, 0);
      });
      return finish('column-inputs', fields, slots);
    }
    const slot = slots[0]!;
    if (slot.type === 'string' || slot.type === 'bool') throw fail(`graph input "${slot.name}" has type ${slot.type}; packed columns need a numeric input`);
    const nonNumeric = cols.filter((c) => c.type === 'string');
    if (nonNumeric.length > 0) throw fail(`string columns (${nonNumeric.map((c) => c.name).join(', ')}) cannot be packed into the numeric input "${slot.name}"`);
    if (slot.rowShape.length !== 1 || slot.rowSize !== cols.length) {
      throw fail(`graph input "${slot.name}" has row shape [${slot.rowShape}] but the signature has ${cols.length} columns`);
    }
    const fields = cols.map((c, j) => field(c.name, NUMERIC_COLUMN[c.type], c.required, [], 0, j));
    return finish('packed-columns', fields, slots);
  }
  const specs = signature?.kind === 'tensors' ? signature.tensors : null;
  if (specs && specs.length !== slots.length) throw fail(`the signature has ${specs.length} tensor(s), the graph ${slots.length} input(s)`);
  const fields = slots.map((slot, i) => {
    const spec = specs?.[i];
    if (spec?.name && spec.name !== slot.name && !slots.some((s) => s.name === spec.name)) {
      throw fail(`signature tensor "${spec.name}" is not a graph input (inputs: ${slots.map((s) => s.name).join(', ')})`);
    }
    const kind: FieldKind = slot.type === 'string' ? 'string' : slot.type === 'bool' ? 'boolean' : slot.type.startsWith('int') ? 'integer' : 'number';
    return field(slot.name, kind, true, slot.rowShape, i, 0);
  });
  return finish('tensors', fields, slots);
}

function field(name: string, kind: FieldKind, required: boolean, rowShape: number[], slot: number, offset: number): FieldSpec {
  // Only floating columns may be left out: they are fed as NaN, which ONNX tree ensembles route
  // down their "missing" branch; integers and strings have no such value.
  return { name, kind, required: required || kind !== 'number', rowShape, slot, offset };
}

function toSlot(g: GraphValue, fail: (why: string) => StartupError): InputSlot {
  if (!g.isTensor || !g.type || !g.shape) throw fail(`graph input "${g.name}" is not a tensor`);
  const type = g.type as SlotType;
  if (!SLOT_TYPES.has(type)) throw fail(`graph input "${g.name}" has type ${g.type}; supported: ${[...SLOT_TYPES].join(', ')}`);
  const [, ...rest] = g.shape;
  if (g.shape.length === 0) throw fail(`graph input "${g.name}" is a scalar; a batch dimension is required`);
  const rowShape = rest.map((d) => {
    if (typeof d !== 'number' || d < 0) throw fail(`graph input "${g.name}" has a variable dimension besides the first: [${g.shape!.join(', ')}]`);
    return d;
  });
  return { name: g.name, type, rowShape, rowSize: rowShape.reduce((a, b) => a * b, 1) };
}

function finish(layout: InputMapping['layout'], fields: FieldSpec[], slots: InputSlot[]): InputMapping {
  const shape: Record<string, z.ZodType> = {};
  for (const f of fields) shape[f.name] = fieldSchema(f);
  const rowSchema = z.strictObject(shape) as unknown as z.ZodType<Row>;
  const allocate = (n: number): EncodedBatch => ({ n, arrays: slots.map((s) => allocateSlot(s, n)) });
  return { layout, fields, slots, rowSchema, allocate, write: createWriter(layout, fields, slots) };
}

function fieldSchema(f: FieldSpec): z.ZodType {
  let leaf: z.ZodType =
    f.kind === 'number' ? z.number() : f.kind === 'integer' ? z.int() : f.kind === 'boolean' ? z.boolean() : z.string();
  for (let d = f.rowShape.length - 1; d >= 0; d--) leaf = z.array(leaf).length(f.rowShape[d]!);
  const described = leaf.describe(f.rowShape.length ? `${f.kind} tensor of shape [${f.rowShape.join(', ')}]` : f.kind);
  return f.required ? described : described.optional();
}

function allocateSlot(s: InputSlot, n: number): SlotArray {
  const size = n * s.rowSize;
  switch (s.type) {
    case 'float32':
      return new Float32Array(size);
    case 'float64':
      return new Float64Array(size);
    case 'int32':
      return new Int32Array(size);
    case 'int64':
      return new BigInt64Array(size);
    case 'bool':
      return new Uint8Array(size);
    case 'string':
      return new Array<string>(size).fill('');
  }
}

function createWriter(layout: InputMapping['layout'], fields: FieldSpec[], slots: InputSlot[]): InputMapping['write'] {
  if (layout === 'packed-columns' && slots[0]!.type !== 'int64') {
    // Hot path for the common case: one numeric matrix; plain indexed stores, no allocation.
    const names = fields.map((f) => f.name);
    const k = names.length;
    return (batch, index, row) => {
      const a = batch.arrays[0] as Float32Array;
      const off = index * k;
      for (let j = 0; j < k; j++) {
        const v = row[names[j]!];
        a[off + j] = v === undefined ? NaN : (v as number);
      }
    };
  }
  return (batch, index, row) => {
    for (const f of fields) {
      const slot = slots[f.slot]!;
      const base = index * slot.rowSize + f.offset;
      const value = row[f.name];
      if (f.rowShape.length === 0) store(batch.arrays[f.slot]!, slot.type, base, value);
      else flattenInto(batch.arrays[f.slot]!, slot.type, base, value);
    }
  };
}

function flattenInto(target: SlotArray, type: SlotType, base: number, value: unknown): number {
  let i = base;
  const walk = (v: unknown) => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else store(target, type, i++, v);
  };
  walk(value);
  return i;
}

function store(target: SlotArray, type: SlotType, i: number, v: unknown): void {
  if (type === 'int64') (target as BigInt64Array)[i] = BigInt(Math.trunc(Number(v)));
  else if (type === 'string') (target as string[])[i] = String(v);
  else if (type === 'bool') (target as Uint8Array)[i] = v ? 1 : 0;
  else (target as Float32Array)[i] = v === undefined || v === null ? NaN : Number(v);
}
