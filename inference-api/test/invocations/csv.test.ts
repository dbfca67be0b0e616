import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CsvError, parseCsv } from '../../src/invocations/csv.js';
import { pythonFloat } from '../../src/invocations/enforce.js';

describe('parseCsv', () => {
  it('reads a header, quoted fields with commas and escaped quotes, CRLF, and skips blank lines', () => {
    const t = parseCsv('"a,1",b,"c ""q"""\r\n1,2,3\r\n\r\n4,,6\n');
    assert.deepEqual(t.header, ['a,1', 'b', 'c "q"']);
    assert.deepEqual(t.rows, [['1', '2', '3'], ['4', '', '6']]);
  });
  it('rejects an empty body, unterminated quotes and rows longer than the header', () => {
    assert.throws(() => parseCsv(''), CsvError);
    assert.throws(() => parseCsv('a,b\n"1,2\n'), CsvError);
    assert.throws(() => parseCsv('a,b\n1,2,3\n'), /Expected 2 fields/);
  });
});

describe('pythonFloat', () => {
  it("accepts what Python's float() accepts", () => {
    assert.equal(pythonFloat(' 1.5 ', true), 1.5);
    assert.equal(pythonFloat('1_000.5', true), 1000.5);
    assert.equal(pythonFloat('1e-3', true), 0.001);
    assert.equal(pythonFloat('-inf', true), -Infinity);
    assert.ok(Number.isNaN(pythonFloat('NaN', true)));
    assert.equal(pythonFloat('abc', true), null);
    assert.equal(pythonFloat('1_0', false), null);
  });
});
