import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUp, parseHaproxyCsv, serverRows } from '../src/haproxy-stats.js';

const CSV = `# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight
stats,FRONTEND,,,0,1,2000,3,0,0,0,0,0,,,,,OPEN,
api_front,FRONTEND,,,0,0,2000,0,0,0,0,0,0,,,,,OPEN,
api,api1,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1
api,api2,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP 1/3,1
api,api3,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,1
api,api4,0,0,0,0,,0,0,0,,0,,0,0,0,0,MAINT (resolution),1
api,BACKEND,0,0,0,0,200,0,0,0,0,0,,0,0,0,0,UP,3
`;

test('the stats CSV lists server rows only, and "UP 1/3" (up, one failed check) still counts as up', () => {
  const servers = serverRows(parseHaproxyCsv(CSV));
  assert.deepEqual(servers.map((s) => s.svname), ['api1', 'api2', 'api3', 'api4']);
  assert.deepEqual(serverRows(servers, 'api').filter(isUp).map((s) => s.svname), ['api1', 'api2']);
});

test('a page that is not the stats CSV yields no servers', () => {
  assert.deepEqual(parseHaproxyCsv('<html>503</html>'), []);
});
