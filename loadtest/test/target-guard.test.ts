import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLoadError } from '../src/errors.js';
import { swarmServiceNames } from '../src/engines/docker-facts.js';
import { classifyTarget, verifyTarget, type NetworkFacts } from '../src/target-guard.js';

const refused = (err: unknown) => isLoadError(err, 'LOAD_ERR_TARGET_REFUSED');

test('loopback addresses and localhost are accepted as loopback', () => {
  for (const url of ['http://127.0.0.1:8000', 'http://127.3.4.5', 'http://[::1]:8080/x', 'http://localhost:9', 'https://LOCALHOST']) {
    assert.equal(classifyTarget(url).kind, 'loopback', url);
  }
});

test('any other address, dotted name or protocol is refused before an engine starts', () => {
  for (const url of ['http://10.0.0.5:8000', 'http://192.168.1.1', 'http://[2001:db8::1]', 'http://example.com', 'http://api.internal:8000', 'ftp://127.0.0.1', 'not a url', 'http://0.0.0.0:8000']) {
    assert.throws(() => classifyTarget(url), refused, url);
  }
});

test('a bare name is a service candidate', () => {
  assert.deepEqual(classifyTarget('http://lb:8080'), { kind: 'service', host: 'lb' });
});

const facts = (labels: Record<string, string> | null, names: string[]): NetworkFacts => ({
  networkLabels: async () => labels,
  namesOnNetwork: async () => names,
});
const OWNER = 'io.rightsize.owner';

test('a service name is refused without a network this run created', async () => {
  await assert.rejects(verifyTarget({ url: 'http://lb:8080', ownerLabel: OWNER }), refused);
  await assert.rejects(verifyTarget({ url: 'http://lb:8080', ownerLabel: OWNER, network: 'n', networkOwner: 'me', facts: facts(null, []) }), refused);
  await assert.rejects(
    verifyTarget({ url: 'http://lb:8080', ownerLabel: OWNER, network: 'n', networkOwner: 'me', facts: facts({ [OWNER]: 'someone-else' }, ['lb']) }),
    refused,
  );
});

test('a service name must be on the run\'s network', async () => {
  const mine = facts({ [OWNER]: 'me' }, ['rs-x_lb_1', 'lb', 'api']);
  assert.deepEqual(await verifyTarget({ url: 'http://lb:8080', ownerLabel: OWNER, network: 'n', networkOwner: 'me', facts: mine }), { kind: 'service', host: 'lb' });
  await assert.rejects(verifyTarget({ url: 'http://db:5432', ownerLabel: OWNER, network: 'n', networkOwner: 'me', facts: mine }), refused);
});

test("a Swarm task answers to its service's name and the stack's short name, a plain container to none", () => {
  assert.deepEqual(swarmServiceNames({ 'com.docker.swarm.service.name': 'rs-sweep-1_lb', 'com.docker.stack.namespace': 'rs-sweep-1' }), ['rs-sweep-1_lb', 'lb']);
  assert.deepEqual(swarmServiceNames({ 'com.docker.swarm.service.name': 'web' }), ['web']);
  assert.deepEqual(swarmServiceNames({ 'com.docker.compose.service': 'lb' }), []);
});
