import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseByteSize, parseLabels, parseNetworkLine, parsePsLine, parseStatsLine, parseVolumeLine } from '../src/docker-parse.js';
import { isRightsizeError } from '../src/errors.js';

const statsLine = JSON.stringify({
  BlockIO: '1.5MB / 0B',
  CPUPerc: '49.56%',
  Container: '3b7a49de42ca',
  ID: '3b7a49de42ca062d',
  MemPerc: '0.62%',
  MemUsage: '404KiB / 64MiB',
  Name: 'api_1',
  NetIO: '1.59kB / 0B',
  PIDs: '7',
});

test('sizes: binary units for memory, decimal units for network and disk', () => {
  assert.equal(parseByteSize('64MiB'), 64 * 1024 * 1024);
  assert.equal(parseByteSize('1.59kB'), 1590);
  assert.equal(parseByteSize('0B'), 0);
  assert.equal(parseByteSize('2GiB'), 2 * 1024 ** 3);
  assert.throws(() => parseByteSize('lots'), (e) => isRightsizeError(e, 'DOCKER_ERR_PARSE'));
});

test('a stats line becomes a sample with CPU in percent of one core and bytes', () => {
  const s = parseStatsLine(statsLine, 1000);
  assert.deepEqual(s, {
    id: '3b7a49de42ca062d',
    name: 'api_1',
    at: 1000,
    cpuPercent: 49.56,
    memUsageBytes: 404 * 1024,
    memLimitBytes: 64 * 1024 * 1024,
    memPercent: 0.62,
    netRxBytes: 1590,
    netTxBytes: 0,
    blockReadBytes: 1_500_000,
    blockWriteBytes: 0,
    pids: 7,
  });
});

test('stream redraw codes around a stats line are ignored', () => {
  const s = parseStatsLine(`\u001b[J\u001b[H${statsLine} \u001b[K`, 1);
  assert.equal(s?.cpuPercent, 49.56);
  assert.equal(parseStatsLine(' \u001b[K'), undefined);
});

test('a stats line without measurements ("--") yields no sample rather than zeros', () => {
  const blank = JSON.stringify({ ...JSON.parse(statsLine), CPUPerc: '--', MemUsage: '-- / --', NetIO: '--' });
  assert.equal(parseStatsLine(blank), undefined);
});

test('a stats line that is not JSON is a parse error naming the line', () => {
  assert.throws(() => parseStatsLine('Error: No such container: x'), (e) => isRightsizeError(e, 'DOCKER_ERR_PARSE'));
});

test('ps labels with commas inside values are split only at label boundaries', () => {
  assert.deepEqual(parseLabels('a=1,b=x,y,c.d=e=f'), { a: '1', b: 'x,y', 'c.d': 'e=f' });
  assert.deepEqual(parseLabels(''), {});
});

test('a ps row is summarised with its state and labels', () => {
  const row = parsePsLine(JSON.stringify({ ID: 'abc', Names: 'rs-x_api_1', Image: 'rightsize-api:latest', State: 'running', Status: 'Up 3 seconds (healthy)', Labels: 'io.rightsize.owner=rs-x,com.docker.compose.service=api' }));
  assert.equal(row?.state, 'running');
  assert.equal(row?.labels['com.docker.compose.service'], 'api');
  // The 20.10 CLI has no State column: derive it from Status.
  const old = parsePsLine(JSON.stringify({ ID: 'abc', Names: 'n', Image: 'i', Status: 'Exited (0) 2 seconds ago', Labels: '' }));
  assert.equal(old?.state, 'exited');
});

test('network and volume rows carry their labels, so clean-up can match the owner label value', () => {
  const net = parseNetworkLine(JSON.stringify({ ID: 'c908', Name: 'rs-x_default', Driver: 'bridge', Labels: 'io.rightsize.owner=rs-sweep-1-ab,com.docker.compose.network=default', Scope: 'local' }));
  assert.deepEqual(net, { id: 'c908', name: 'rs-x_default', labels: { 'io.rightsize.owner': 'rs-sweep-1-ab', 'com.docker.compose.network': 'default' } });
  assert.deepEqual(parseVolumeLine(JSON.stringify({ Name: 'rs-x_data', Driver: 'local', Labels: '' })), { name: 'rs-x_data', labels: {} });
  assert.equal(parseNetworkLine(''), undefined);
});
