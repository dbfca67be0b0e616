// ONNX model-level metadata (ir version, opsets, producer, metadata_props) read straight from the
// protobuf header: onnxruntime-node exposes inputs/outputs but not these, and a full protobuf
// dependency for six fields is not worth it. Only top-level ModelProto fields are decoded; the
// graph is skipped by length.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

export interface OnnxMeta {
  irVersion: number | null;
  producerName: string | null;
  producerVersion: string | null;
  domain: string | null;
  modelVersion: number | null;
  docString: string | null;
  opsets: { domain: string; version: number }[];
  metadataProps: Record<string, string>;
}

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array, readonly end = buf.length) {}
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const byte = this.buf[this.pos++]!;
      // Numbers above 2^53 lose precision; none of the fields we read get near that.
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
      if (shift > 63) throw new Error('varint too long');
    }
  }
  bytes(): Uint8Array {
    const len = this.varint();
    if (this.pos + len > this.end) throw new Error('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }
}

const text = new TextDecoder();

function readPairs(buf: Uint8Array, onField: (field: number, r: Reader, wire: number) => boolean): void {
  const r = new Reader(buf);
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (!onField(field, r, wire)) r.skip(wire);
  }
}

/** Pure: decode the top-level ModelProto fields from the bytes of a .onnx file. */
export function parseOnnxMeta(buf: Uint8Array): OnnxMeta {
  const meta: OnnxMeta = {
    irVersion: null,
    producerName: null,
    producerVersion: null,
    domain: null,
    modelVersion: null,
    docString: null,
    opsets: [],
    metadataProps: {},
  };
  readPairs(buf, (field, r, wire) => {
    if (field === 1 && wire === 0) meta.irVersion = r.varint();
    else if (field === 2 && wire === 2) meta.producerName = text.decode(r.bytes());
    else if (field === 3 && wire === 2) meta.producerVersion = text.decode(r.bytes());
    else if (field === 4 && wire === 2) meta.domain = text.decode(r.bytes());
    else if (field === 5 && wire === 0) meta.modelVersion = r.varint();
    else if (field === 6 && wire === 2) meta.docString = text.decode(r.bytes());
    else if (field === 8 && wire === 2) {
      const opset = { domain: '', version: 0 };
      readPairs(r.bytes(), (f, rr, w) => {
        if (f === 1 && w === 2) opset.domain = text.decode(rr.bytes());
        else if (f === 2 && w === 0) opset.version = rr.varint();
        else return false;
        return true;
      });
      meta.opsets.push(opset);
    } else if (field === 14 && wire === 2) {
      let key = '';
      let value = '';
      readPairs(r.bytes(), (f, rr, w) => {
        if (f === 1 && w === 2) key = text.decode(rr.bytes());
        else if (f === 2 && w === 2) value = text.decode(rr.bytes());
        else return false;
        return true;
      });
      meta.metadataProps[key] = value;
    } else return false;
    return true;
  });
  return meta;
}

export interface FileDigest {
  path: string;
  bytes: number;
  sha256: string;
}

export interface ModelDigest {
  /** sha256 of model.onnx alone. */
  onnxSha256: string;
  /** sha256 over `sha256sum`-style lines of every file in the folder (sorted), so external data counts. */
  folderSha256: string;
  files: FileDigest[];
}

/** Hashes every file of the model folder (they are small next to the runtime; done once at startup). */
export async function digestModelFolder(dir: string, onnxFile: string): Promise<{ digest: ModelDigest; onnxBytes: Buffer }> {
  const files: FileDigest[] = [];
  let onnxBytes: Buffer | null = null;
  for (const path of (await listFiles(dir)).sort()) {
    const bytes = await readFile(path);
    if (path === onnxFile) onnxBytes = bytes;
    files.push({ path: relative(dir, path), bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  if (onnxBytes === null) onnxBytes = await readFile(onnxFile);
  const onnxSha256 = createHash('sha256').update(onnxBytes).digest('hex');
  const folderSha256 = createHash('sha256')
    .update(files.map((f) => `${f.sha256}  ${f.path}\n`).join(''))
    .digest('hex');
  return { digest: { onnxSha256, folderSha256, files }, onnxBytes };
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile() || (await stat(path)).isFile()) out.push(path);
  }
  return out;
}
