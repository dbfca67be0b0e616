// Bad command lines fail before touching Docker, with a code and the flag or value named.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { isRightsizeError } from '../src/errors.js';
import { main as imagesCli } from '../src/images/cli.js';
import { main as publishCli } from '../src/publish/cli.js';

describe('images CLI', () => {
  it('rejects an unknown flag, naming it', async () => {
    await assert.rejects(imagesCli(['--ofline']), (e) => isRightsizeError(e, 'IMAGE_ERR_BAD_ARGS') && /--ofline/.test(e.message));
  });
  it('rejects an unknown recipe, listing the known ones', async () => {
    await assert.rejects(imagesCli(['--only', 'api,nginx']), (e) => isRightsizeError(e, 'IMAGE_ERR_UNKNOWN_IMAGE') && /nginx/.test(e.message) && /haproxy/.test(e.message));
  });
});

describe('image:publish CLI', () => {
  it('rejects an unknown flag, naming it', async () => {
    await assert.rejects(publishCli(['--tag', 'x']), (e) => isRightsizeError(e, 'PUBLISH_ERR_BAD_ARGS') && /--tag/.test(e.message));
  });
  it('needs a user to read a password from stdin', async () => {
    // An explicit empty --user wins over DOCKERHUB_USERNAME / RIGHTSIZE_REGISTRY_USER from the environment.
    await assert.rejects(publishCli(['--password-stdin', '--user', ''], { stdin: Readable.from(['secret\n']) }), (e) => isRightsizeError(e, 'PUBLISH_ERR_BAD_ARGS') && /--user/.test(e.message));
  });
});
