// Issue 17: a standard Open Inference Protocol client, tritonclient[http] (installed by .ci/setup in
// .cache/contract-venv), against the API listening in-process: health, metadata, inputs and outputs
// as JSON and as binary tensor data, answers compared with the golden file. The checks themselves
// are in test/tools/oip_client.py, which prints one line per check.
// No venv: the test fails under CI or RIGHTSIZE_REQUIRE_DOCKER=1 and is skipped loudly otherwise.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { requireTool } from '@rightsize/compose/testing';
import { createTestApp } from '../helpers/app.js';
import { API_DIR, GOLDEN_FILE, REPO } from '../helpers/paths.js';

const PYTHON = join(REPO, '.cache/contract-venv/bin/python');
const SCRIPT = join(API_DIR, 'test/tools/oip_client.py');

test('tritonclient[http] gets the golden answers over JSON and binary tensor data (issue 17)', async (t) => {
  const python = requireTool(t, { name: 'tritonclient[http] (contract venv)', candidates: [PYTHON], hint: 'run `npm run setup` (.ci/setup installs inference-api/test/tools/requirements.txt there)' });
  if (!python) return;
  const app = await createTestApp(t);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  // Async: the server answering the client runs in this process's event loop.
  const run = await promisify(execFile)(python, [SCRIPT, '--url', `127.0.0.1:${port}`, '--golden', GOLDEN_FILE, '--rows', '5'], { timeout: 120_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code?: number | string; stdout?: string; stderr?: string; message: string }) => ({ code: err.code ?? err.message, stdout: err.stdout ?? '', stderr: err.stderr ?? '' }),
  );
  assert.equal(run.code, 0, `oip_client.py exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /all checks passed/);
});
