// Docker tier: `npm run image:publish` against a real registry with htpasswd auth (Debian's
// docker-registry on loopback): log in with the password on stdin, push version/sha/latest,
// check that anonymous pulls are refused, delete the local image, pull it back by digest, run
// it, and predict.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { createDocker } from '../src/docker.js';
import { exec } from '../src/exec.js';
import { buildkitBuild } from '../src/images/buildkit.js';
import { main as publishCli } from '../src/publish/cli.js';
import { createOwner, getFreePort, ownerLabels, registerCleanup, requireDocker } from '../src/testing.js';
import { predict, readGolden, waitForOk } from './helpers/golden.js';
import { API_IMAGE } from './helpers/image-names.js';

async function startRegistry(t: { after: (fn: () => Promise<void>) => void; diagnostic: (s: string) => void }) {
  const dir = await mkdtemp(path.join(tmpdir(), 'rs-registry-'));
  const port = await getFreePort();
  const user = 'rightsize';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const { stdout: htpasswd } = await exec('htpasswd', ['-Bbn', user, password], { hint: 'apt-get install -y apache2-utils' });
  await writeFile(path.join(dir, 'htpasswd'), htpasswd);
  await writeFile(
    path.join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log: { level: warn }',
      `storage: { filesystem: { rootdirectory: ${dir}/data }, delete: { enabled: true } }`,
      `http: { addr: 127.0.0.1:${port} }`,
      `auth: { htpasswd: { realm: rightsize-test, path: ${dir}/htpasswd } }`,
      '',
    ].join('\n'),
  );
  const child = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  t.after(async () => {
    child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status = await fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.status, () => 0);
    if (status === 401) break; // up, and demanding credentials
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`docker-registry did not start (status ${status}): ${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { host: `127.0.0.1:${port}`, user, password };
}

describe('image:publish', () => {
  it('pushes to an htpasswd registry, and the image pulled back by digest runs and predicts', { timeout: 300_000 }, async (t) => {
    if (!(await requireDocker(t, { images: [API_IMAGE] }))) return;
    const owner = createOwner('publish');
    registerCleanup(t, owner);
    const registry = await startRegistry(t);
    const config = await mkdtemp(path.join(tmpdir(), 'rs-docker-config-'));
    t.after(() => rm(config, { recursive: true, force: true }));
    const docker = createDocker({ env: { DOCKER_CONFIG: config } });

    // A copy of the API image with its own id (one extra label), so deleting it locally really
    // deletes it, and the pull has to fetch its manifest and config from the registry.
    const ctx = await mkdtemp(path.join(tmpdir(), 'rs-publish-ctx-'));
    t.after(() => rm(ctx, { recursive: true, force: true }));
    await writeFile(path.join(ctx, 'Dockerfile'), `FROM ${API_IMAGE}\nLABEL io.rightsize.test-owner=${owner}\n`);
    const source = `${owner}:candidate`;
    await buildkitBuild({ dockerfile: path.join(ctx, 'Dockerfile'), context: ctx, tags: [source] });
    const repo = `rightsize/${owner}`;
    const refsToDrop = new Set<string>([source]);
    t.after(async () => {
      for (const ref of refsToDrop) await docker.imageRm(ref).catch(() => undefined);
    });

    const report = await publishCli(
      ['--registry', registry.host, '--repo', repo, '--image', source, '--user', registry.user, '--password-stdin', '--docker-config', config, '--allow-dirty'],
      { stdin: Readable.from([`${registry.password}\n`]), stdout: new PassThrough(), stderr: new PassThrough() },
    );
    assert.ok(report);
    for (const ref of report.refs) refsToDrop.add(ref);
    assert.equal(report.refs.length, 3);
    assert.deepEqual(report.refs.map((r) => r.split(':').pop()!.replace(/^[0-9a-f]{12}(-dirty)?$/, 'SHA')), ['0.1.0', 'SHA', 'latest']);
    assert.match(report.digest, /^sha256:[0-9a-f]{64}$/);
    const pinned = `${registry.host}/${repo}@${report.digest}`;
    assert.equal(report.pinned, pinned);

    // Anonymous clients are turned away.
    const anonymous = createDocker({ env: { DOCKER_CONFIG: await mkdtemp(path.join(tmpdir(), 'rs-anon-')) } });
    await assert.rejects(anonymous.pull(pinned), /unauthorized|no basic auth credentials|authentication required/i);

    for (const ref of [...report.refs, source]) await docker.imageRm(ref);
    assert.equal(await docker.imageInspect(source), undefined, 'the published image is gone locally');
    await docker.pull(pinned);
    refsToDrop.add(pinned);
    const pulled = await docker.imageInspect(pinned);
    assert.equal(pulled?.Config?.Labels?.['io.rightsize.test-owner'], owner);
    assert.ok(pulled?.RepoDigests?.includes(pinned));

    const id = await docker.run({ image: pinned, labels: ownerLabels(owner), publish: [{ container: 8000 }], readOnly: true, tmpfs: ['/tmp'] });
    await docker.waitHealthy(id, { timeoutMs: 60_000 });
    const url = `http://127.0.0.1:${await docker.hostPort(id, 8000)}`;
    await waitForOk(`${url}/health/ready`, 10_000);
    const golden = readGolden();
    const res = await predict(url, golden.rows[3]);
    assert.equal(res.status, 200);
    assert.equal((res.json as { label: string }).label, golden.labels[3]);
  });
});
