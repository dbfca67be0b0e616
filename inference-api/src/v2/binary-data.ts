// The Open Inference Protocol's binary tensor data extension (Triton's "binary_tensor_data"), pure
// byte handling: the body is `Inference-Header-Content-Length` bytes of JSON followed by the raw
// tensors of the inputs that declare `parameters.binary_data_size`, in input order. Tensors are
// little-endian, row-major; a BYTES element is a 4-byte little-endian length and its bytes.
import { ApiError, type FieldIssue } from '../errors.js';

export const HEADER_LENGTH = 'Inference-Header-Content-Length';

const ORT_TO_OIP: Record<string, string> = {
  float32: 'FP32',
  float64: 'FP64',
  float16: 'FP16',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  bool: 'BOOL',
  string: 'BYTES',
};

/** ONNX Runtime's tensor type name -> the protocol's datatype (unknown ones pass through). */
export function oipDatatype(ortType: string | undefined): string {
  return ORT_TO_OIP[ortType ?? ''] ?? String(ortType);
}

interface FixedType {
  size: number;
  read(buf: Buffer, at: number): unknown;
  write(buf: Buffer, at: number, value: unknown): void;
}

const num = (v: unknown) => Number(v);
const big = (v: unknown) => (typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v))));

const FIXED: Record<string, FixedType> = {
  BOOL: { size: 1, read: (b, i) => b[i] !== 0, write: (b, i, v) => void (b[i] = v ? 1 : 0) },
  UINT8: { size: 1, read: (b, i) => b.readUInt8(i), write: (b, i, v) => void b.writeUInt8(num(v), i) },
  INT8: { size: 1, read: (b, i) => b.readInt8(i), write: (b, i, v) => void b.writeInt8(num(v), i) },
  UINT16: { size: 2, read: (b, i) => b.readUInt16LE(i), write: (b, i, v) => void b.writeUInt16LE(num(v), i) },
  INT16: { size: 2, read: (b, i) => b.readInt16LE(i), write: (b, i, v) => void b.writeInt16LE(num(v), i) },
  UINT32: { size: 4, read: (b, i) => b.readUInt32LE(i), write: (b, i, v) => void b.writeUInt32LE(num(v), i) },
  INT32: { size: 4, read: (b, i) => b.readInt32LE(i), write: (b, i, v) => void b.writeInt32LE(num(v), i) },
  // 64-bit integers become JS numbers on the way in (exact up to 2^53), as JSON data would.
  UINT64: { size: 8, read: (b, i) => Number(b.readBigUInt64LE(i)), write: (b, i, v) => void b.writeBigUInt64LE(big(v), i) },
  INT64: { size: 8, read: (b, i) => Number(b.readBigInt64LE(i)), write: (b, i, v) => void b.writeBigInt64LE(big(v), i) },
  FP32: { size: 4, read: (b, i) => b.readFloatLE(i), write: (b, i, v) => void b.writeFloatLE(num(v), i) },
  FP64: { size: 8, read: (b, i) => b.readDoubleLE(i), write: (b, i, v) => void b.writeDoubleLE(num(v), i) },
};

export function binaryError(fields: FieldIssue[]): ApiError {
  return new ApiError('PREDICT_ERR_BINARY_DATA', { message: fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields });
}

/**
 * Splits a body by the Inference-Header-Content-Length header value: the JSON header and the
 * binary tail. Without the header the whole body is JSON and the tail is empty.
 */
export function splitBody(body: Buffer, headerLength: string | string[] | undefined): { json: Buffer; tail: Buffer } {
  if (headerLength === undefined) return { json: body, tail: body.subarray(body.length) };
  const text = Array.isArray(headerLength) ? headerLength.join(',') : headerLength.trim();
  const n = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= body.length)) {
    throw binaryError([{ field: HEADER_LENGTH, message: `must be an integer 1..${body.length} (the body's length), the byte length of the JSON inference header; got ${JSON.stringify(text)}` }]);
  }
  return { json: body.subarray(0, n), tail: body.subarray(n) };
}

export interface WireTensor {
  name: string;
  datatype: string;
  shape: number[];
  data?: unknown[] | undefined;
  parameters?: { binary_data_size?: number | undefined; [key: string]: unknown } | undefined;
}

/** Gives every input its `data`: from JSON, or decoded from its slice of the binary tail. */
export function attachBinaryInputs<T extends WireTensor>(inputs: readonly T[], tail: Buffer): (T & { data: unknown[] })[] {
  const fields: FieldIssue[] = [];
  let at = 0;
  const out = inputs.map((input) => {
    const size = input.parameters?.binary_data_size;
    if (size === undefined) {
      if (input.data === undefined) fields.push({ field: input.name, message: 'has neither data nor parameters.binary_data_size' });
      return { ...input, data: input.data ?? [] };
    }
    if (input.data !== undefined) fields.push({ field: input.name, message: 'has both data and parameters.binary_data_size; send one' });
    const bytes = tail.subarray(at, at + size);
    at += size;
    if (bytes.length < size) {
      fields.push({ field: input.name, message: `declares binary_data_size ${size} but only ${bytes.length} bytes remain after the JSON header (${HEADER_LENGTH})` });
      return { ...input, data: [] };
    }
    const decoded = decodeTensor(input.datatype, bytes, input.shape.reduce((a, b) => a * b, 1));
    if (typeof decoded === 'string') fields.push({ field: input.name, message: decoded });
    return { ...input, data: typeof decoded === 'string' ? [] : decoded };
  });
  if (fields.length === 0 && at !== tail.length) {
    fields.push({ field: HEADER_LENGTH, message: `the body has ${tail.length} bytes after the JSON header but the inputs' binary_data_size add up to ${at}` });
  }
  if (fields.length > 0) throw binaryError(fields);
  return out;
}

/** Raw little-endian bytes -> `count` values, or a message saying why they do not fit. */
export function decodeTensor(datatype: string, bytes: Buffer, count: number): unknown[] | string {
  if (datatype === 'BYTES') {
    const values: string[] = [];
    let at = 0;
    while (at < bytes.length) {
      if (at + 4 > bytes.length) return `BYTES element ${values.length} has a truncated 4-byte length prefix`;
      const len = bytes.readUInt32LE(at);
      if (at + 4 + len > bytes.length) return `BYTES element ${values.length} declares ${len} bytes but only ${bytes.length - at - 4} remain`;
      values.push(bytes.toString('utf8', at + 4, at + 4 + len));
      at += 4 + len;
    }
    return values.length === count ? values : `holds ${values.length} BYTES elements; its shape needs ${count}`;
  }
  const type = FIXED[datatype];
  if (!type) return `datatype ${datatype} is not supported in binary form; send ${Object.keys(FIXED).join(', ')} or BYTES`;
  if (bytes.length !== count * type.size) return `binary_data_size is ${bytes.length} bytes; shape and ${datatype} need ${count} x ${type.size} = ${count * type.size}`;
  return Array.from({ length: count }, (_, i) => type.read(bytes, i * type.size));
}

/** `count` values from `start` of `values` -> raw little-endian bytes of `datatype`. */
export function encodeTensor(datatype: string, values: ArrayLike<unknown>, start: number, count: number): Buffer {
  if (datatype === 'BYTES') {
    const parts = Array.from({ length: count }, (_, i) => Buffer.from(String(values[start + i]), 'utf8'));
    const buf = Buffer.allocUnsafe(parts.reduce((a, p) => a + 4 + p.length, 0));
    let at = 0;
    for (const p of parts) {
      buf.writeUInt32LE(p.length, at);
      p.copy(buf, at + 4);
      at += 4 + p.length;
    }
    return buf;
  }
  const type = FIXED[datatype];
  if (!type) throw binaryError([{ field: 'outputs', message: `datatype ${datatype} has no binary encoding here; ask for this output as JSON` }]);
  const buf = Buffer.alloc(count * type.size);
  for (let i = 0; i < count; i++) type.write(buf, i * type.size, values[start + i]);
  return buf;
}
