import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MODEL_URI, parseConfig } from '../src/config.js';

describe('parseConfig', () => {
  it('has defaults for everything and resolves the committed model next to the source', () => {
    const r = parseConfig({});
    assert.ok(r.ok);
    assert.equal(r.config.port, 8000);
    assert.equal(r.config.host, '127.0.0.1');
    assert.equal(r.config.model.uri, DEFAULT_MODEL_URI);
    assert.match(DEFAULT_MODEL_URI, /model\/artifacts\/breast-cancer-gbt$/);
    assert.equal(r.config.lab, null);
    assert.ok(Object.isFrozen(r.config) && Object.isFrozen(r.config.limits));
  });
  it('treats empty strings as unset (compose passes them)', () => {
    const r = parseConfig({ PORT: '', MAX_INFLIGHT: '  ', MODEL_URI: '' });
    assert.ok(r.ok);
    assert.equal(r.config.port, 8000);
    assert.equal(r.config.model.uri, DEFAULT_MODEL_URI);
  });
  it('reports every bad variable at once, naming each', () => {
    const r = parseConfig({ PORT: 'eighty', MICRO_BATCHING: 'maybe', HEAP_LIMIT_MB: 'lots', MLFLOW_TRACKING_URI: 'ftp://x', HEAP_FRACTION: '2' });
    assert.ok(!r.ok);
    const names = r.problems.map((p) => p.split(':')[0]);
    assert.deepEqual(new Set(names), new Set(['PORT', 'MICRO_BATCHING', 'HEAP_LIMIT_MB', 'MLFLOW_TRACKING_URI', 'HEAP_FRACTION']));
    assert.ok(r.problems.every((p) => p.includes('(got "')));
  });
  it('requires LAB_MU in lab mode and builds the lab settings', () => {
    const bad = parseConfig({ LAB_MODE: 'mmc' });
    assert.ok(!bad.ok && bad.problems.some((p) => p.startsWith('LAB_MU:')));
    const ok = parseConfig({ LAB_MODE: 'mmc', LAB_MU: '50', LAB_SERVERS: '3', LAB_SEED: '7' });
    assert.ok(ok.ok);
    assert.deepEqual(ok.config.lab, { mode: 'mmc', mu: 50, servers: 3, seed: 7 });
  });
  it('turns micro-batching off with MICRO_BATCHING=off or a batch of one row', () => {
    assert.ok(parseConfig({ MICRO_BATCHING: 'off' }).ok && !(parseConfig({ MICRO_BATCHING: 'off' }) as { config: { batching: { enabled: boolean } } }).config.batching.enabled);
    const one = parseConfig({ MICRO_BATCH_MAX_ROWS: '1' });
    assert.ok(one.ok && !one.config.batching.enabled);
  });
  it('accepts "auto" and numbers for thread and heap settings', () => {
    const r = parseConfig({ ORT_INTRA_OP_THREADS: '2', HEAP_LIMIT_MB: '256' });
    assert.ok(r.ok);
    assert.equal(r.config.runtime.intraOpThreads, 2);
    assert.equal(r.config.runtime.heapLimitMb, 256);
  });
  it('rejects credentials given by half', () => {
    const r = parseConfig({ MLFLOW_TRACKING_USERNAME: 'me' });
    assert.ok(!r.ok && r.problems.some((p) => p.startsWith('MLFLOW_TRACKING_PASSWORD:')));
  });
});
