import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { autoHeapMb, deriveSizing, MIN_HEAP_MB, NATIVE_RESERVE_MB, parseCfsQuota, parseCpuMax, parseMemoryLimit, readCgroupLimits, type CgroupLimits } from '../src/limits.js';
import { FIXTURES } from './helpers/paths.js';

const root = (name: string) => join(FIXTURES, 'cgroup', name);

describe('cgroup file parsers', () => {
  it('reads a cgroup v2 cpu.max quota as CPUs, "max" as no quota', () => {
    assert.equal(parseCpuMax('50000 100000\n'), 0.5);
    assert.equal(parseCpuMax('250000 100000'), 2.5);
    assert.equal(parseCpuMax('max 100000\n'), null);
  });
  it('reads cgroup v1 cfs quota/period, -1 as no quota', () => {
    assert.equal(parseCfsQuota('150000\n', '100000\n'), 1.5);
    assert.equal(parseCfsQuota('-1\n', '100000\n'), null);
  });
  it('treats "max" and the v1 page-rounded 2^63 as no memory limit', () => {
    assert.equal(parseMemoryLimit('268435456\n'), 268435456);
    assert.equal(parseMemoryLimit('max\n'), null);
    assert.equal(parseMemoryLimit('9223372036854771712\n'), null);
    assert.equal(parseMemoryLimit('garbage'), null);
  });
});

describe('readCgroupLimits', () => {
  it('finds a v2 quota and memory limit', async () => {
    const l = await readCgroupLimits(root('v2-limited'));
    assert.deepEqual([l.version, l.cpuQuota, l.memoryLimitBytes], ['v2', 0.5, 268435456]);
  });
  it('finds v2 without limits', async () => {
    const l = await readCgroupLimits(root('v2-unlimited'));
    assert.deepEqual([l.version, l.cpuQuota, l.memoryLimitBytes], ['v2', null, null]);
  });
  it('finds v1 limits under cpu/ and memory/', async () => {
    const l = await readCgroupLimits(root('v1-limited'));
    assert.deepEqual([l.version, l.cpuQuota, l.memoryLimitBytes], ['v1', 1.5, 536870912]);
  });
  it('finds v1 without limits under cpu,cpuacct/', async () => {
    const l = await readCgroupLimits(root('v1-unlimited'));
    assert.deepEqual([l.version, l.cpuQuota, l.memoryLimitBytes], ['v1', null, null]);
    assert.ok(l.sources.some((s) => s.includes('cpu,cpuacct')));
  });
  it('reports none when no cgroup files exist', async () => {
    const l = await readCgroupLimits(root('none'));
    assert.deepEqual([l.version, l.cpuQuota, l.memoryLimitBytes], ['none', null, null]);
  });
});

const base = { availableParallelism: 2, constrainedMemoryBytes: undefined, totalMemoryBytes: 24 * 2 ** 30, intraOpThreads: 'auto' as const, interOpThreads: 1, heapLimitMb: 'auto' as const, heapFraction: 0.75 };
const cg = (cpuQuota: number | null, memoryLimitBytes: number | null): CgroupLimits => ({ version: 'v2', cpuQuota, memoryLimitBytes, sources: [] });

describe('deriveSizing', () => {
  it('sets ONNX Runtime threads from the CPU quota, not the host cores', () => {
    assert.equal(deriveSizing({ ...base, cgroup: cg(0.5, null) }).intraOpThreads, 1);
    assert.equal(deriveSizing({ ...base, availableParallelism: 16, cgroup: cg(2.5, null) }).intraOpThreads, 2);
    assert.equal(deriveSizing({ ...base, availableParallelism: 16, cgroup: cg(null, null) }).intraOpThreads, 16);
  });
  it('caps the quota by the affinity mask (taskset, cpuset)', () => {
    const s = deriveSizing({ ...base, availableParallelism: 1, cgroup: cg(4, null) });
    assert.deepEqual([s.cpus, s.intraOpThreads], [1, 1]);
  });
  it('keeps explicit thread counts', () => {
    const s = deriveSizing({ ...base, intraOpThreads: 3, interOpThreads: 2, cgroup: cg(0.5, null) });
    assert.deepEqual([s.intraOpThreads, s.interOpThreads], [3, 2]);
  });
  it('sizes the heap to the memory limit, leaving room for native memory', () => {
    const s = deriveSizing({ ...base, cgroup: cg(null, 512 * 2 ** 20) });
    assert.equal(s.heapLimitMb, 384);
    assert.equal(autoHeapMb(256 * 2 ** 20, 0.75), 256 - NATIVE_RESERVE_MB);
    assert.equal(autoHeapMb(64 * 2 ** 20, 0.75), MIN_HEAP_MB);
  });
  it('leaves the V8 default without a limit, and obeys HEAP_LIMIT_MB=off or a number', () => {
    assert.equal(deriveSizing({ ...base, cgroup: cg(null, null) }).heapLimitMb, null);
    assert.equal(deriveSizing({ ...base, heapLimitMb: 'off', cgroup: cg(null, 512 * 2 ** 20) }).heapLimitMb, null);
    assert.equal(deriveSizing({ ...base, heapLimitMb: 200, cgroup: cg(null, null) }).heapLimitMb, 200);
  });
  it('falls back to process.constrainedMemory() when no cgroup file says', () => {
    const s = deriveSizing({ ...base, constrainedMemoryBytes: 1024 * 2 ** 20, cgroup: { version: 'none', cpuQuota: null, memoryLimitBytes: null, sources: [] } });
    assert.equal(s.memoryLimitBytes, 1024 * 2 ** 20);
    const unlimited = deriveSizing({ ...base, constrainedMemoryBytes: 2 ** 64, cgroup: { version: 'none', cpuQuota: null, memoryLimitBytes: null, sources: [] } });
    assert.equal(unlimited.memoryLimitBytes, null);
  });
});
