// Our Python-style JSON against Python itself (model/.venv): floats as repr() writes them,
// strings as json.dumps(ensure_ascii=True) writes them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pyDumps, pyFloat, pyFloatValue, pyString } from '../../src/invocations/py-json.js';
import { seededRandom } from '../../src/lab/mmc-queue.js';
import { requireVenv } from '../helpers/paths.js';

function python(script: string, input: string): string[] {
  return execFileSync(join(requireVenv(), 'python'), ['-c', script], { input, maxBuffer: 1e8 }).toString().trimEnd().split('\n');
}

describe('Python-compatible JSON', () => {
  it('writes 20,000 float32 and float64 values exactly like Python repr()', () => {
    const random = seededRandom(11);
    const f32 = new Float32Array(1);
    const xs = [1, -1, 0.1, 1e-4, 1e-5, 1.5e-5, 123456789, 1e15, 1e16, 1.5e16, 2 ** 53, 1e22, 5e-324, 1.7976931348623157e308, 0.0006301999092102051];
    for (let i = 0; i < 10_000; i++) {
      const scale = 10 ** Math.floor(random() * 60 - 30);
      f32[0] = (random() - 0.5) * scale;
      xs.push(f32[0], (random() - 0.5) * scale);
    }
    const expected = python('import json,sys\nfor x in json.load(sys.stdin): print(repr(float(x)))', JSON.stringify(xs));
    const mismatches = xs.map((x, i) => [pyFloat(x), expected[i]]).filter(([a, b]) => a !== b);
    assert.deepEqual(mismatches.slice(0, 5), []);
    assert.deepEqual([pyFloat(0), pyFloat(-0), pyFloat(NaN), pyFloat(Infinity), pyFloat(-Infinity)], ['0.0', '-0.0', 'NaN', 'Infinity', '-Infinity']);
  });
  it('escapes strings like json.dumps with ensure_ascii', () => {
    const ss = ['abc', 'é', 'a"b\\c', '\n\t\r\b\f\u0001\u007f', '😀', 'ü𝄞', 'mean radius'];
    const expected = python('import json,sys\nfor s in json.load(sys.stdin): print(json.dumps(s))', JSON.stringify(ss));
    assert.deepEqual(ss.map(pyString), expected);
  });
  it('separates items like json.dumps', () => {
    assert.equal(pyDumps({ a: [1, pyFloatValue(2), 'x'], b: null, c: true }), '{"a": [1, 2.0, "x"], "b": null, "c": true}');
  });
});
