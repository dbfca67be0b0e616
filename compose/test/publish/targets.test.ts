import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRightsizeError } from '../../src/errors.js';
import { publishTargets } from '../../src/publish/targets.js';

const labels = { 'org.opencontainers.image.version': '0.1.0', 'org.opencontainers.image.revision': '0123456789abcdef0123456789abcdef01234567' };

test('Docker Hub is the default: <user>/rightsize-api tagged version, sha and latest', () => {
  const targets = publishTargets({ source: 'rightsize-api:0.1.0', labels, user: 'Alice' });
  assert.equal(targets.registry, 'docker.io');
  assert.deepEqual(targets.refs, ['alice/rightsize-api:0.1.0', 'alice/rightsize-api:0123456789ab', 'alice/rightsize-api:latest']);
});

test('a registry host prefixes every reference', () => {
  const targets = publishTargets({ source: 'rightsize-api:0.1.0', labels, registry: '127.0.0.1:5123', repository: 'team/rightsize-api', latest: false });
  assert.deepEqual(targets.refs, ['127.0.0.1:5123/team/rightsize-api:0.1.0', '127.0.0.1:5123/team/rightsize-api:0123456789ab']);
});

test('an image built from uncommitted files is refused unless --allow-dirty, then tagged -dirty', () => {
  const dirty = { ...labels, 'org.opencontainers.image.revision': `${labels['org.opencontainers.image.revision']}-dirty` };
  assert.throws(() => publishTargets({ source: 's', labels: dirty, user: 'a' }), (e) => isRightsizeError(e, 'PUBLISH_ERR_BAD_ARGS'));
  assert.ok(publishTargets({ source: 's', labels: dirty, user: 'a', allowDirty: true }).tags.includes('0123456789ab-dirty'));
});

test('no repository and no user is a clear error naming the flags', () => {
  assert.throws(() => publishTargets({ source: 's', labels }), (e) => isRightsizeError(e, 'PUBLISH_ERR_BAD_ARGS') && /--repo/.test(e.message));
  assert.throws(() => publishTargets({ source: 's', labels, repository: 'Bad Name' }), (e) => isRightsizeError(e, 'PUBLISH_ERR_BAD_ARGS'));
});

test('an image without version/revision labels was not built by npm run images', () => {
  assert.throws(() => publishTargets({ source: 's', labels: {}, user: 'a' }), (e) => isRightsizeError(e, 'PUBLISH_ERR_NO_IMAGE'));
});
