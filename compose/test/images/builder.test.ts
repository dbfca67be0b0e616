// Docker tier: the image builder is idempotent and keeps the CA bundle out of images. A probe
// recipe (tiny Dockerfile in a temp folder) is built, then found up to date, then rebuilt when
// a file it copies changes; its RUN step sees the CA bundle as a BuildKit secret, and no layer
// of the result contains it. The real stand-ins' recipes are checked as up to date.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createDocker } from '../../src/docker.js';
import { buildImages } from '../../src/images/builder.js';
import { RecipeSchema } from '../../src/images/recipes.js';
import { REPO_ROOT } from '../../src/images/repo-info.js';
import { createOwner, imageTarContains, ownerLabels, requireDocker } from '../../src/testing.js';
import { DEBIAN_IMAGE } from '../helpers/image-names.js';

const docker = createDocker();

describe('image builder', () => {
  it('builds once, skips an unchanged recipe, rebuilds a changed one, and never bakes the CA in', { timeout: 180_000 }, async (t) => {
    if (!(await requireDocker(t, { images: [DEBIAN_IMAGE] }))) return;
    const owner = createOwner('probe');
    const root = await mkdtemp(path.join(tmpdir(), 'rs-probe-'));
    const tag = `${owner}:1`;
    t.after(async () => {
      await docker.imageRm(tag).catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    });
    const marker = `RIGHTSIZE-FAKE-CA-${owner}`;
    await writeFile(path.join(root, 'ca.pem'), `-----BEGIN CERTIFICATE-----\n${marker}\n-----END CERTIFICATE-----\n`);
    await writeFile(
      path.join(root, 'Dockerfile'),
      [
        `FROM ${DEBIAN_IMAGE}`,
        // Proves the secret is visible to RUN, without copying it anywhere.
        'RUN --mount=type=secret,id=ca,target=/run/secrets/ca grep -c FAKE-CA /run/secrets/ca > /secret-lines',
        'COPY input.txt /input.txt',
        '',
      ].join('\n'),
    );
    await writeFile(path.join(root, 'input.txt'), 'one\n');
    const recipe = RecipeSchema.parse({ id: 'probe', tags: [tag], thirdParty: false, kind: 'dockerfile', dockerfile: 'Dockerfile', context: { repo: '.' }, inputs: ['input.txt'] });
    const build = () =>
      buildImages({ recipes: [recipe], catalog: [recipe], offline: true, force: false, docker, repoRoot: root, cacheDir: root, caBundle: path.join(root, 'ca.pem'), mirror: 'unused', source: 'test' });

    const built = new Set<string>();
    t.after(async () => {
      for (const id of built) await docker.imageRm(id).catch(() => undefined);
    });
    const first = await build();
    built.add(first.results[0]!.imageId!);
    assert.equal(first.results[0]!.status, 'built', JSON.stringify(first.results[0]!.error));
    const second = await build();
    assert.equal(second.results[0]!.status, 'up-to-date');
    assert.equal(second.results[0]!.imageId, first.results[0]!.imageId);
    await writeFile(path.join(root, 'input.txt'), 'two\n');
    const third = await build();
    built.add(third.results[0]!.imageId!);
    assert.equal(third.results[0]!.status, 'built');
    assert.equal(third.results[0]!.reason, 'recipe changed');
    assert.notEqual(third.results[0]!.imageId, first.results[0]!.imageId);
    assert.equal(await docker.imageInspect(first.results[0]!.imageId!), undefined, 'the replaced, now untagged image was removed');

    const probe = await docker.run({ image: tag, labels: ownerLabels(owner), command: ['sh', '-c', 'cat /secret-lines /input.txt; ls /run/secrets 2>/dev/null | wc -l'] });
    const run = await docker
      .wait(probe)
      .then(() => docker.logs(probe))
      .finally(() => docker.rm(probe));
    assert.deepEqual(run.stdout.trim().split('\n'), ['1', 'two', '0']);
    assert.equal((await imageTarContains(tag, [marker])).includes(marker), false, 'the CA secret is in no layer');
  });

  it('finds every third-party stand-in up to date after `npm run images -- --offline`', { timeout: 120_000 }, async (t) => {
    if (!(await requireDocker(t, { images: [DEBIAN_IMAGE] }))) return;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'compose/src/images/cli.ts'), '--offline', '--check', '--json']);
    const report = JSON.parse(stdout) as { results: Array<{ id: string; status: string; reason?: string }> };
    const standIns = ['debian', 'node', 'haproxy', 'k6', 'python', 'mlflow', 'locust'];
    for (const id of standIns) {
      const r = report.results.find((x) => x.id === id);
      assert.equal(r?.status, 'up-to-date', `${id}: ${r?.status} (${r?.reason ?? ''})`);
    }
  });
});

function run(file: string, args: string[]): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, code }));
  });
}
