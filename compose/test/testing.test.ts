import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCompose } from '../src/compose.js';
import { OWNER_LABEL, createDocker } from '../src/docker.js';
import { isRightsizeError } from '../src/errors.js';
import { createOwner, getFreePort, ownerLabels } from '../src/testing.js';

test('owners are unique, start with rs- and are valid compose project names', () => {
  const a = createOwner('API Image!');
  const b = createOwner('API Image!');
  assert.notEqual(a, b);
  assert.match(a, /^rs-api-image-[a-z0-9]+$/);
  assert.doesNotThrow(() => createCompose({ projectName: a, files: ['x.yml'] }));
});

test('compose refuses project names that do not start with rs-', () => {
  assert.throws(() => createCompose({ projectName: 'myproject', files: ['x.yml'] }), (e) => isRightsizeError(e, 'COMPOSE_ERR_PROJECT_NAME'));
});

test('docker.run refuses to create a container without the owner label', async () => {
  const docker = createDocker({ bin: '/nonexistent/docker' });
  await assert.rejects(docker.run({ image: 'x', labels: {} }), (e) => isRightsizeError(e, 'DOCKER_ERR_NO_OWNER'));
  assert.deepEqual(ownerLabels('rs-a'), { [OWNER_LABEL]: 'rs-a' });
});

test('a missing docker binary is reported as not installed, with the command', async () => {
  const docker = createDocker({ bin: '/nonexistent/docker' });
  await assert.rejects(docker.serverVersion(), (e) => isRightsizeError(e, 'DOCKER_ERR_NOT_INSTALLED') && /nonexistent/.test(e.message));
});

test('free ports are real ports', async () => {
  const port = await getFreePort();
  assert.ok(port > 0 && port < 65536);
});
