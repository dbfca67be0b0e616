import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isApiError } from '../../src/errors.js';
import { attachBinaryInputs, decodeTensor, encodeTensor, HEADER_LENGTH, splitBody } from '../../src/v2/binary-data.js';

function binaryErrorOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    assert.ok(isApiError(err), String(err));
    assert.equal(err.code, 'PREDICT_ERR_BINARY_DATA');
    assert.equal(err.statusCode, 400);
    return err;
  }
  assert.fail('expected PREDICT_ERR_BINARY_DATA');
}

describe('binary tensor data extension (bytes)', () => {
  it('splits a body at Inference-Header-Content-Length; without it the whole body is JSON', () => {
    const body = Buffer.from('{"a":1}\x01\x02');
    assert.deepEqual(splitBody(body, '7'), { json: body.subarray(0, 7), tail: body.subarray(7) });
    assert.equal(splitBody(body, undefined).json, body);
    assert.equal(splitBody(body, undefined).tail.length, 0);
  });
  it('refuses a header length that is not an integer 1..body length, naming the header', () => {
    const body = Buffer.from('{"a":1}');
    for (const bad of ['', 'x', '-1', '0', '8', '1.5', '7 7']) {
      const err = binaryErrorOf(() => splitBody(body, bad));
      assert.equal(err.fields?.[0]?.field, HEADER_LENGTH, bad);
      assert.match(err.message, /Inference-Header-Content-Length/);
    }
  });
  it('encodes BYTES as a 4-byte little-endian length followed by UTF-8 bytes', () => {
    const bytes = encodeTensor('BYTES', ['x', 'benign', 'é'], 1, 2);
    assert.deepEqual([...bytes], [6, 0, 0, 0, ...Buffer.from('benign'), 2, 0, 0, 0, 0xc3, 0xa9]);
    assert.deepEqual(decodeTensor('BYTES', bytes, 2), ['benign', 'é']);
  });
  it('round-trips fixed-size types little-endian', () => {
    const fp32 = encodeTensor('FP32', new Float32Array([1.5, -2, 0.25]), 0, 3);
    assert.deepEqual([...fp32.subarray(0, 4)], [0, 0, 0xc0, 0x3f]);
    assert.deepEqual(decodeTensor('FP32', fp32, 3), [1.5, -2, 0.25]);
    assert.deepEqual(decodeTensor('INT64', encodeTensor('INT64', new BigInt64Array([3n, -4n]), 0, 2), 2), [3, -4]);
    assert.deepEqual(decodeTensor('BOOL', encodeTensor('BOOL', [true, false], 0, 2), 2), [true, false]);
    assert.deepEqual(decodeTensor('FP64', encodeTensor('FP64', [0.1], 0, 1), 1), [0.1]);
  });
  it('reports byte counts that do not fit the shape, truncated BYTES and unsupported types', () => {
    assert.match(String(decodeTensor('FP32', Buffer.alloc(7), 2)), /need 2 x 4 = 8/);
    assert.match(String(decodeTensor('BYTES', Buffer.from([5, 0, 0, 0, 1]), 1)), /declares 5 bytes/);
    assert.match(String(decodeTensor('BYTES', Buffer.from([1, 0]), 1)), /truncated/);
    assert.match(String(decodeTensor('BYTES', Buffer.from([0, 0, 0, 0]), 2)), /holds 1 BYTES elements; its shape needs 2/);
    assert.match(String(decodeTensor('BF16', Buffer.alloc(2), 1)), /not supported in binary form/);
  });
  it('gives binary inputs their data in input order and checks the sizes add up', () => {
    const tail = Buffer.concat([encodeTensor('FP32', [1, 2], 0, 2), encodeTensor('INT32', [7], 0, 1)]);
    const inputs = [
      { name: 'a', datatype: 'FP32', shape: [1, 2], parameters: { binary_data_size: 8 } },
      { name: 'j', datatype: 'FP32', shape: [1], data: [9] },
      { name: 'b', datatype: 'INT32', shape: [1], parameters: { binary_data_size: 4 } },
    ];
    assert.deepEqual(attachBinaryInputs(inputs, tail).map((i) => i.data), [[1, 2], [9], [7]]);
    const extra = binaryErrorOf(() => attachBinaryInputs(inputs, Buffer.concat([tail, Buffer.alloc(1)])));
    assert.equal(extra.fields?.[0]?.field, HEADER_LENGTH);
    const short = binaryErrorOf(() => attachBinaryInputs(inputs, tail.subarray(0, 10)));
    assert.equal(short.fields?.[0]?.field, 'b');
    const both = binaryErrorOf(() => attachBinaryInputs([{ ...inputs[0]!, data: [1, 2] }], tail.subarray(0, 8)));
    assert.equal(both.fields?.[0]?.field, 'a');
    const neither = binaryErrorOf(() => attachBinaryInputs([{ name: 'c', datatype: 'FP32', shape: [1] }], Buffer.alloc(0)));
    assert.equal(neither.fields?.[0]?.field, 'c');
  });
});
