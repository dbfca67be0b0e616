import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { listInputFiles, recipeHash } from '../../src/images/recipe-hash.js';
import { RecipeSchema } from '../../src/images/recipes.js';

async function fixture(t: { after: (fn: () => Promise<void>) => void }) {
  const root = await mkdtemp(path.join(tmpdir(), 'rs-hash-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await mkdir(path.join(root, 'app/src'), { recursive: true });
  await mkdir(path.join(root, 'app/src/node_modules'), { recursive: true });
  await writeFile(path.join(root, 'app/Dockerfile'), 'FROM debian:bookworm-slim\nCOPY src /src\n');
  await writeFile(path.join(root, 'app/src/a.ts'), 'export const a = 1;\n');
  await writeFile(path.join(root, 'app/src/node_modules/x.js'), 'ignored\n');
  await writeFile(path.join(root, 'unrelated.txt'), 'x\n');
  const recipe = RecipeSchema.parse({ id: 'app', tags: ['app:1'], thirdParty: false, kind: 'dockerfile', dockerfile: 'app/Dockerfile', context: { repo: 'app' }, inputs: ['app/src'] });
  const hash = (parentIds: Record<string, string> = { debian: 'sha256:1' }, labels: Record<string, string> = {}) => recipeHash({ recipe, repoRoot: root, parentIds, labels });
  return { root, hash };
}

test('the hash is stable while nothing it covers changes', async (t) => {
  const { root, hash } = await fixture(t);
  const first = await hash();
  await writeFile(path.join(root, 'unrelated.txt'), 'changed\n');
  await writeFile(path.join(root, 'app/src/node_modules/x.js'), 'changed too, but never copied\n');
  assert.equal(await hash(), first);
});

test('editing a copied file, the Dockerfile, a label or the parent image changes the hash', async (t) => {
  const { root, hash } = await fixture(t);
  const first = await hash();
  await writeFile(path.join(root, 'app/src/a.ts'), 'export const a = 2;\n');
  const second = await hash();
  assert.notEqual(second, first);
  await writeFile(path.join(root, 'app/Dockerfile'), 'FROM debian:bookworm-slim\nCOPY src /app\n');
  const third = await hash();
  assert.notEqual(third, second);
  assert.notEqual(await hash({ debian: 'sha256:2' }), third);
  assert.notEqual(await hash(undefined, { 'org.opencontainers.image.revision': 'abc' }), third);
});

test('input folders are listed without node_modules, sorted', async (t) => {
  const { root } = await fixture(t);
  assert.deepEqual(await listInputFiles(root, 'app'), ['app/Dockerfile', 'app/src/a.ts']);
  await assert.rejects(listInputFiles(root, 'missing'), /recipe input missing does not exist/);
});
