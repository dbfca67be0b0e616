// Inference answers of the Open Inference Protocol: every requested output as JSON `data`, or with
// the binary tensor data extension as raw bytes after the JSON header, which then carries the
// output's `parameters.binary_data_size` instead of `data`.
import type { OutputMap } from '../model/output-mapping.js';
import { encodeTensor, oipDatatype } from './binary-data.js';
import type { InferOutput, InferResponse } from './schemas.js';

export interface WantedOutput {
  name: string;
  binary: boolean;
}

export type InferAnswer = { kind: 'json'; body: InferResponse } | { kind: 'binary'; body: Buffer; headerLength: number };

export interface RenderInferOptions {
  head: Omit<InferResponse, 'outputs'>;
  /** A run's outputs; this request's rows are offset .. offset + n - 1. */
  outputs: OutputMap;
  offset: number;
  n: number;
  wanted: readonly WantedOutput[];
}

/** Pure: a request's slice of a run -> its JSON answer, or JSON header + binary outputs. */
export function renderInferAnswer({ head, outputs, offset, n, wanted }: RenderInferOptions): InferAnswer {
  const chunks: Buffer[] = [];
  const rendered = wanted.map(({ name, binary }): InferOutput => {
    const t = outputs[name]!;
    const inner = t.dims.slice(1);
    const width = inner.reduce((a, b) => a * b, 1);
    const datatype = oipDatatype(t.type);
    const base = { name, datatype, shape: [n, ...inner] };
    if (binary) {
      const bytes = encodeTensor(datatype, t.data, offset * width, n * width);
      chunks.push(bytes);
      return { ...base, parameters: { binary_data_size: bytes.length } };
    }
    const data = Array.from({ length: n * width }, (_, j) => {
      const v = t.data[offset * width + j];
      return typeof v === 'bigint' ? Number(v) : v;
    });
    return { ...base, data };
  });
  const body: InferResponse = { ...head, outputs: rendered };
  if (!wanted.some((w) => w.binary)) return { kind: 'json', body };
  const header = Buffer.from(JSON.stringify(body), 'utf8');
  return { kind: 'binary', body: Buffer.concat([header, ...chunks]), headerLength: header.length };
}
