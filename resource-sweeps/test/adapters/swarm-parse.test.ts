/**
 * The pure parts of `runtime: swarm`: the host-mode override, reading `docker service ls` /
 * `docker stack ps`, and who may leave a swarm (node labels). The real deployment is in
 * test/e2e/sweep-swarm-e2e.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseServiceLs, parseStackPs } from '@rightsize/compose/docker-parse';
import { parse } from 'yaml';
import { converged, swarmOverride } from '../../src/adapters/swarm-stack.js';
import { failedTasks, replicasByService, shortServiceName } from '../../src/adapters/swarm-stacks.js';
import { ENTERED_BY_LABEL, USER_LABEL_PREFIX, checkSwarmRuntime, swarmUse } from '../../src/adapters/swarm-mode.js';

test('the override publishes the balancer in host mode on the trial ports, places it on this node, adds a sampler on every node, and no task is replaced', () => {
  const o = parse(swarmOverride({ port: 41001, statsPort: 41002, nodeId: 'node-a', owner: 'rs-sweep-1-x' })) as {
    services: {
      api: { deploy: { restart_policy: { condition: string } } };
      lb: { ports: { target: number; published: number; mode: string }[]; deploy: { endpoint_mode: string; restart_policy: { condition: string }; placement: { constraints: string[] } } };
      sampler: { image: string; volumes: { source: string; target: string; read_only: boolean }[]; ports: { target: number; published?: number; mode: string }[]; environment: Record<string, string>; deploy: { mode: string; labels: Record<string, string> } };
    };
  };
  assert.deepEqual(o.services.lb.deploy.placement.constraints, ['node.id == node-a']);
  assert.equal(o.services.sampler.deploy.mode, 'global');
  assert.equal(o.services.sampler.image, 'rightsize-node-sampler:latest');
  assert.deepEqual(o.services.sampler.volumes, [{ type: 'bind', source: '/sys/fs/cgroup', target: '/host/cgroup', read_only: true }]);
  assert.deepEqual(o.services.sampler.ports, [{ target: 9100, protocol: 'tcp', mode: 'host' }], 'host mode, the published port left to Swarm');
  assert.equal(o.services.sampler.environment.NODE_ID, '{{.Node.ID}}');
  assert.equal(o.services.sampler.deploy.labels['io.rightsize.owner'], 'rs-sweep-1-x');
  assert.deepEqual(
    o.services.lb.ports.map((p) => [p.target, p.published, p.mode]),
    [
      [8080, 41001, 'host'],
      [8404, 41002, 'host'],
    ],
  );
  assert.equal(o.services.lb.deploy.endpoint_mode, 'dnsrr');
  assert.equal(o.services.api.deploy.restart_policy.condition, 'none');
  assert.equal(o.services.lb.deploy.restart_policy.condition, 'none');
});

test('service replicas are read by short name, "max per node" suffixes included', () => {
  const r = replicasByService('rs-sweep-1-ab-t1a1', parseServiceLs('rs-sweep-1-ab-t1a1_api\t2/3\nrs-sweep-1-ab-t1a1_lb\t1/1 (max 1 per node)\n\n'));
  assert.deepEqual(r, { api: { running: 2, desired: 3 }, lb: { running: 1, desired: 1 } });
  assert.equal(converged(r, { api: 3, lb: 1 }), false);
  assert.equal(converged({ ...r, api: { running: 3, desired: 3 } }, { api: 3, lb: 1 }), true);
  assert.equal(converged(r, { api: 2, gone: 1 }), false, 'a missing service is not converged');
  assert.equal(converged({ ...r, api: { running: 3, desired: 3 }, sampler: { running: 2, desired: 2 } }, { api: 3, lb: 1, sampler: 'every node' }), true, 'a global service: all its tasks, however many nodes');
  assert.equal(converged({ ...r, api: { running: 3, desired: 3 }, sampler: { running: 1, desired: 2 } }, { api: 3, lb: 1, sampler: 'every node' }), false);
  assert.equal(converged({ ...r, api: { running: 3, desired: 3 }, sampler: { running: 0, desired: 0 } }, { api: 3, lb: 1, sampler: 'every node' }), false, 'no node at all is not converged');
  assert.equal(shortServiceName('s', 's_api'), 'api');
  assert.equal(shortServiceName('s', 'other_api'), 'other_api');
  assert.equal(shortServiceName('s', undefined), 'unknown');
});

test('failed and rejected tasks are found, running and shut-down ones are not', () => {
  const text = [
    's_api.1\tRunning 3 seconds ago\t',
    '\\_ s_api.1\tFailed 10 seconds ago\ttask: non-zero exit (137)',
    's_api.2\tRejected 2 seconds ago\tNo such image: nope:latest',
    's_lb.1\tShutdown 1 second ago\t',
  ].join('\n');
  assert.deepEqual(failedTasks(parseStackPs(text)), [
    { name: 's_api.1', state: 'Failed 10 seconds ago', error: 'task: non-zero exit (137)' },
    { name: 's_api.2', state: 'Rejected 2 seconds ago', error: 'No such image: nope:latest' },
  ]);
});

test('a swarm is left only when a sweep entered it and no live sweep uses it', () => {
  const alive = (pid: number) => pid === 100;
  const me = 'rs-sweep-200-aaaaaa';
  const live = 'rs-sweep-100-bbbbbb';
  const dead = 'rs-sweep-300-cccccc';
  const user = (o: string) => `${USER_LABEL_PREFIX}${o}`;
  // entered by me, only dead users besides me: leave, and drop the dead label
  assert.deepEqual(swarmUse({ [ENTERED_BY_LABEL]: me, [user(me)]: '1', [user(dead)]: '1' }, { self: me, alive }), { deadUsers: [dead], liveUsers: [], leave: true });
  // a live sweep still uses it: stay
  assert.equal(swarmUse({ [ENTERED_BY_LABEL]: me, [user(me)]: '1', [user(live)]: '1' }, { self: me, alive }).leave, false);
  // nobody of ours entered it (it was a swarm before): never leave
  assert.equal(swarmUse({ [user(me)]: '1' }, { self: me, alive }).leave, false);
  // the clean-up at the next start (no self): a crashed sweep entered it and nobody is left
  assert.deepEqual(swarmUse({ [ENTERED_BY_LABEL]: dead, [user(dead)]: '1' }, { alive }), { deadUsers: [dead], liveUsers: [], leave: true });
});

test('runtime swarm: an engine outside swarm mode is refused unless the user allowed entering it; a worker always', async () => {
  const engine = (active: boolean, manager: boolean) => ({ swarmState: async () => ({ active, manager, nodeId: active ? 'n1' : '' }) });
  await assert.rejects(checkSwarmRuntime(engine(false, false), { allowInit: false }), (e: Error & { key?: string; hint?: string }) => {
    assert.match(e.message, /not in swarm mode/);
    assert.equal(e.key, 'runtime');
    assert.match(e.hint ?? '', /docker swarm init --advertise-addr 127\.0\.0\.1/);
    assert.match(e.hint ?? '', /--swarm-init/);
    return true;
  });
  await checkSwarmRuntime(engine(false, false), { allowInit: true });
  await checkSwarmRuntime(engine(true, true), { allowInit: false });
  await assert.rejects(checkSwarmRuntime(engine(true, false), { allowInit: true }), /worker, not a manager/);
});
