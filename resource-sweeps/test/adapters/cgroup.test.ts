import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCgroupReader, parseKeyValues, parseProcStat } from '../../src/adapters/cgroup.js';

async function tree(t: { after: (fn: () => Promise<void>) => void }, files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'rs-cgroup-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), content);
  }
  return root;
}

test('cgroup v1 files of a Docker container read as CPU, throttling, memory without cache, peak, limit and OOM kills', async (t) => {
  const id = 'abc123';
  const root = await tree(t, {
    [`cpu/docker/${id}/cgroup.procs`]: '1\n',
    [`cpu/docker/${id}/cpu.stat`]: 'nr_periods 22\nnr_throttled 8\nthrottled_time 194848314\nnr_bursts 0\n',
    [`cpuacct/docker/${id}/cgroup.procs`]: '1\n',
    [`cpuacct/docker/${id}/cpuacct.usage`]: '1011619095\n',
    [`memory/docker/${id}/cgroup.procs`]: '1\n',
    [`memory/docker/${id}/memory.usage_in_bytes`]: '3821568\n',
    [`memory/docker/${id}/memory.stat`]: 'cache 417792\nrss 106496\ntotal_inactive_file 249856\n',
    [`memory/docker/${id}/memory.max_usage_in_bytes`]: '4000000\n',
    [`memory/docker/${id}/memory.limit_in_bytes`]: '67108864\n',
    [`memory/docker/${id}/memory.oom_control`]: 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n',
  });
  const r = await createCgroupReader({ root }).read(id);
  assert.deepEqual(r, {
    cpu_ns: 1011619095,
    nr_periods: 22,
    nr_throttled: 8,
    throttled_ns: 194848314,
    mem_bytes: 3821568 - 249856,
    mem_peak_bytes: 4000000,
    mem_limit_bytes: 67108864,
    oom_kills: 1,
  });
});

test('cgroup v2 files read the same fields, "max" meaning no memory limit', async (t) => {
  const id = 'def456';
  const dir = `system.slice/docker-${id}.scope`;
  const root = await tree(t, {
    [`${dir}/cgroup.procs`]: '1\n',
    [`${dir}/cpu.stat`]: 'usage_usec 2000\nuser_usec 1500\nsystem_usec 500\nnr_periods 10\nnr_throttled 2\nthrottled_usec 300\n',
    [`${dir}/memory.current`]: '1000000\n',
    [`${dir}/memory.stat`]: 'anon 500000\ninactive_file 100000\n',
    [`${dir}/memory.peak`]: '1200000\n',
    [`${dir}/memory.max`]: 'max\n',
    [`${dir}/memory.events`]: 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n',
  });
  const r = await createCgroupReader({ root }).read(id);
  assert.deepEqual(r, { cpu_ns: 2_000_000, nr_periods: 10, nr_throttled: 2, throttled_ns: 300_000, mem_bytes: 900_000, mem_peak_bytes: 1_200_000, mem_limit_bytes: null, oom_kills: 1 });
});

test('a container without cgroup files reads as null (gone, or not on this host)', async (t) => {
  const root = await tree(t, { 'cpu/.keep': '' });
  assert.equal(await createCgroupReader({ root }).read('nope'), null);
});

test('key-value and /proc/stat parsing ignore what they do not understand', () => {
  assert.deepEqual(parseKeyValues('a 1\nb two\n\nc 3'), { a: 1, c: 3 });
  assert.deepEqual(parseProcStat('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3'), { busy: 150, total: 1000 });
  assert.equal(parseProcStat('nothing'), null);
});

test('CPU pressure totals come from the "some" line of /proc/pressure/cpu', async () => {
  const { parsePressureTotal } = await import('../../src/adapters/cgroup.js');
  assert.equal(parsePressureTotal('some avg10=10.57 avg60=37.01 avg300=52.88 total=1549010231\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n'), 1549010231);
  assert.equal(parsePressureTotal(''), null);
});
