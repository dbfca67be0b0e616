// Issue 17: the Open Inference Protocol's binary tensor data extension on POST /v2/.../infer, as
// Triton defines it and tritonclient uses it (test/contract/oip-client.test.ts runs that client).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { App } from '../../src/app.js';
import { createTestApp, loadTestModel, suiteScope } from '../helpers/app.js';
import { readGolden } from '../helpers/golden.js';

const golden = readGolden();
const URL_INFER = '/v2/models/breast-cancer-gbt/infer';
const N = 3;
const rows = golden.rows.slice(0, N).map((r) => golden.features.map((k) => r[k]!));
const fp32 = (values: number[]) => Buffer.from(new Float32Array(values).buffer);
const binaryInput = { name: 'input', shape: [N, 30], datatype: 'FP32', parameters: { binary_data_size: N * 30 * 4 } };

/** A binary tensor data body: JSON header + raw tensors, and the header that splits them. */
function frame(header: unknown, ...tensors: Buffer[]) {
  const json = Buffer.from(JSON.stringify(header));
  return { payload: Buffer.concat([json, ...tensors]), length: String(json.length) };
}

/** Splits a binary answer into its JSON header and the raw bytes of each output. */
function unframe(res: { headers: Record<string, unknown>; rawPayload: Buffer }) {
  const length = Number(res.headers['inference-header-content-length']);
  const header = JSON.parse(res.rawPayload.subarray(0, length).toString('utf8'));
  const bytes: Record<string, Buffer> = {};
  let at = length;
  for (const o of header.outputs) {
    if (o.parameters?.binary_data_size === undefined) continue;
    bytes[o.name] = res.rawPayload.subarray(at, at + o.parameters.binary_data_size);
    at += o.parameters.binary_data_size;
  }
  assert.equal(at, res.rawPayload.length, 'binary outputs fill the rest of the body');
  return { header, bytes };
}

function readBytesTensor(buf: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at < buf.length; ) {
    const len = buf.readUInt32LE(at);
    out.push(buf.toString('utf8', at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}

describe('Open Inference Protocol binary tensor data (issue 17)', () => {
  const scope = suiteScope(after);
  let app: App;
  let small: App;
  before(async () => {
    const model = await loadTestModel(scope);
    app = await createTestApp(scope, {}, model);
    small = await createTestApp(scope, { BODY_LIMIT_BYTES: '1024' }, model);
  });
  const send = (payload: Buffer | string, headers: Record<string, string>, target = app) => target.inject({ method: 'POST', url: URL_INFER, headers, payload });

  it('reads binary inputs after the JSON header, with octet-stream, JSON or no content type', async () => {
    const { payload, length } = frame({ inputs: [binaryInput], outputs: [{ name: 'label' }] }, fp32(rows.flat()));
    for (const type of ['application/octet-stream', 'application/json', undefined]) {
      const res = await send(payload, { 'inference-header-content-length': length, ...(type ? { 'content-type': type } : {}) });
      assert.equal(res.statusCode, 200, `${type}: ${res.body}`);
      assert.deepEqual(res.json().outputs, [{ name: 'label', datatype: 'BYTES', shape: [N], data: golden.labels.slice(0, N) }]);
    }
  });
  it('answers binary outputs when binary_data_output is set: header length, no data, BYTES length-prefixed', async () => {
    const { payload, length } = frame({ parameters: { binary_data_output: true }, inputs: [binaryInput] }, fp32(rows.flat()));
    const res = await send(payload, { 'inference-header-content-length': length, 'content-type': 'application/octet-stream' });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/octet-stream/);
    const { header, bytes } = unframe(res);
    assert.deepEqual(header.outputs.map((o: { name: string }) => o.name), ['label', 'probability_benign', 'probability_malignant']);
    for (const o of header.outputs) assert.equal(o.data, undefined, o.name);
    assert.deepEqual(header.outputs[1], { name: 'probability_benign', datatype: 'FP32', shape: [N], parameters: { binary_data_size: N * 4 } });
    assert.deepEqual(readBytesTensor(bytes.label!), golden.labels.slice(0, N));
    const malignant = new Float32Array(bytes.probability_malignant!.buffer.slice(bytes.probability_malignant!.byteOffset, bytes.probability_malignant!.byteOffset + N * 4));
    malignant.forEach((p, i) => assert.ok(Math.abs(p - golden.probabilities[i]![1]!) < 1e-5, `row ${i}`));
  });
  it('mixes per-output binary_data with JSON outputs, and JSON inputs with binary outputs', async () => {
    const res = await send(
      JSON.stringify({
        inputs: [{ name: 'input', shape: [N, 30], datatype: 'FP32', data: rows.flat() }],
        outputs: [{ name: 'label', parameters: { binary_data: true } }, { name: 'probability_benign', parameters: { binary_data: false } }],
      }),
      { 'content-type': 'application/json' },
    );
    assert.equal(res.statusCode, 200, res.body);
    const { header, bytes } = unframe(res);
    assert.deepEqual(header.outputs[0], { name: 'label', datatype: 'BYTES', shape: [N], parameters: { binary_data_size: Buffer.byteLength(golden.labels.slice(0, N).join('')) + 4 * N } });
    assert.deepEqual(readBytesTensor(bytes.label!), golden.labels.slice(0, N));
    assert.equal(header.outputs[1].data.length, N);
  });
  it('answers 400 PREDICT_ERR_BINARY_DATA naming Inference-Header-Content-Length when it does not fit the body', async () => {
    const { payload } = frame({ inputs: [binaryInput] }, fp32(rows.flat()));
    for (const bad of ['abc', '0', String(payload.length + 1), '-5']) {
      const res = await send(payload, { 'inference-header-content-length': bad, 'content-type': 'application/octet-stream' });
      assert.equal(res.statusCode, 400, bad);
      assert.equal(res.json().code, 'PREDICT_ERR_BINARY_DATA');
      assert.match(res.json().error, /Inference-Header-Content-Length/);
      assert.equal(res.json().fields[0].field, 'Inference-Header-Content-Length');
    }
  });
  it('answers 400 when binary_data_size and the bytes sent disagree, or the header is not JSON', async () => {
    const short = frame({ inputs: [binaryInput] }, fp32(rows.flat()).subarray(4));
    const res = await send(short.payload, { 'inference-header-content-length': short.length });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'PREDICT_ERR_BINARY_DATA');
    assert.equal(res.json().fields[0].field, 'input');
    const noHeader = await send(JSON.stringify({ inputs: [binaryInput] }), { 'content-type': 'application/json' });
    assert.equal(noHeader.statusCode, 400);
    assert.equal(noHeader.json().code, 'PREDICT_ERR_BINARY_DATA');
    const cut = frame({ inputs: [binaryInput] }, fp32(rows.flat()));
    const notJson = await send(cut.payload, { 'inference-header-content-length': String(Number(cut.length) - 1) });
    assert.equal(notJson.statusCode, 400);
    assert.equal(notJson.json().code, 'PREDICT_ERR_INVALID_JSON');
  });
  it('applies BODY_LIMIT_BYTES to octet-stream bodies and refuses other content types', async () => {
    const ten = golden.rows.slice(0, 10).flatMap((r) => golden.features.map((k) => r[k]!));
    const { payload, length } = frame({ inputs: [{ ...binaryInput, shape: [10, 30], parameters: { binary_data_size: 1200 } }] }, fp32(ten));
    assert.ok(payload.length > 1024);
    const big = await send(payload, { 'inference-header-content-length': length, 'content-type': 'application/octet-stream' }, small);
    assert.equal(big.statusCode, 413);
    assert.equal(big.json().code, 'PREDICT_ERR_BODY_TOO_LARGE');
    const text = await send('{}', { 'content-type': 'text/plain' });
    assert.equal(text.statusCode, 415);
    assert.equal(text.json().code, 'PREDICT_ERR_UNSUPPORTED_MEDIA_TYPE');
  });
  it('refuses the classification and shared-memory extensions instead of ignoring them', async () => {
    const res = await send(JSON.stringify({ inputs: [{ name: 'input', shape: [1, 30], datatype: 'FP32', data: rows[0] }], outputs: [{ name: 'label', parameters: { classification: 2 } }] }), { 'content-type': 'application/json' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'PREDICT_ERR_VALIDATION');
    assert.equal(res.json().fields[0].field, 'label.parameters.classification');
  });
});
