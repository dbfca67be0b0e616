import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { API_INPUTS, FASTAPI_INPUTS, MLFLOW_SERVE_INPUTS, PUBLISHED_NAMESPACE, defineRecipes, planOrder } from '../../src/images/recipes.js';
import { REPO_ROOT } from '../../src/images/repo-info.js';

const recipes = defineRecipes({ apiVersion: '0.1.0', modelVersion: '0.1.0' });

test('offline builds every stand-in before the images built FROM it', () => {
  const ids = planOrder(recipes, { offline: true }).map((r) => r.id);
  assert.deepEqual(new Set(ids), new Set(recipes.map((r) => r.id)));
  for (const r of recipes) for (const p of r.parents) assert.ok(ids.indexOf(p) < ids.indexOf(r.id), `${p} before ${r.id}`);
});

test('without --offline only our own images are built (bases come from a registry)', () => {
  assert.deepEqual(planOrder(recipes, { offline: false }).map((r) => r.id), ['model', 'mlflow-serve', 'fastapi', 'node-sampler', 'api']);
});

test('--only brings the parents it needs when offline, and nothing else', () => {
  assert.deepEqual(planOrder(recipes, { offline: true, only: ['k6'] }).map((r) => r.id), ['debian', 'k6']);
  assert.deepEqual(planOrder(recipes, { offline: true, only: ['api'] }).map((r) => r.id), ['debian', 'node', 'api']);
  assert.throws(() => planOrder(recipes, { offline: true, only: ['nope'] }), /unknown image recipe "nope"/);
});

/** The context files a Dockerfile's COPY lines (not --from) take. */
async function copiedSources(dockerfile: string): Promise<string[]> {
  return (await readFile(path.join(REPO_ROOT, dockerfile), 'utf8'))
    .split('\n')
    .filter((l) => /^COPY\s/.test(l) && !/--from=/.test(l))
    .flatMap((l) => l.trim().split(/\s+/).slice(1, -1));
}

test('the API image hash covers every file its Dockerfile copies from the context', async () => {
  const sources = await copiedSources('inference-api/Dockerfile');
  assert.ok(sources.length >= 5, 'found the COPY lines');
  for (const src of sources) {
    assert.ok(API_INPUTS.some((input) => src === input || src.startsWith(`${input}/`)), `${src} is a recipe input`);
  }
});

test('the mlflow-serve image hash covers every file its Dockerfile copies from the context', async () => {
  const sources = await copiedSources('compose/images/mlflow-serve/Dockerfile');
  assert.ok(sources.length >= 3, 'found the COPY lines');
  for (const src of sources) {
    assert.ok(MLFLOW_SERVE_INPUTS.some((input) => src === input || src.startsWith(`${input}/`)), `${src} is a recipe input`);
  }
});

test('the fastapi image hash covers every file its Dockerfile copies from the context', async () => {
  const sources = await copiedSources('compose/images/fastapi/Dockerfile');
  assert.ok(sources.length >= 2, 'found the COPY lines');
  for (const src of sources) {
    assert.ok(FASTAPI_INPUTS.some((input) => src === input || src.startsWith(`${input}/`)), `${src} is a recipe input`);
  }
});

test('the fastapi image is built FROM the mlflow-serve tag its recipe hashes', () => {
  const fastapi = recipes.find((r) => r.id === 'fastapi')!;
  const parent = recipes.find((r) => r.id === 'mlflow-serve')!;
  assert.deepEqual(fastapi.parents, ['mlflow-serve']);
  assert.equal(fastapi.buildArgs.BASE_IMAGE, parent.tags[0]);
});

/** `${VAR:-default}` -> default; a literal stays as it is. */
const imageDefault = (image: string) => /^\$\{[A-Z0-9_]+:-(.+)\}$/.exec(image)?.[1] ?? image;

test('every image the compose files pin is one the builder tags', async () => {
  const tags = new Set(recipes.flatMap((r) => r.tags));
  for (const file of ['docker-compose.yml', 'docker-compose.mlflow.yml', 'docker-compose.loadtest.yml']) {
    const doc = parse(await readFile(path.join(REPO_ROOT, 'compose', file), 'utf8')) as { services: Record<string, { image?: string }> };
    for (const [name, svc] of Object.entries(doc.services)) {
      if (!svc.image) continue;
      assert.ok(tags.has(imageDefault(svc.image)), `${file}: ${name} pins ${imageDefault(svc.image)}, which npm run images does not build`);
    }
  }
});

test("compose's default API image is the published name at the API's version, built from the repository where it cannot be pulled", async () => {
  const { version } = JSON.parse(await readFile(path.join(REPO_ROOT, 'inference-api/package.json'), 'utf8')) as { version: string };
  const doc = parse(await readFile(path.join(REPO_ROOT, 'compose/docker-compose.yml'), 'utf8')) as { services: { api: { image: string; build?: { context: string; dockerfile: string } } } };
  const published = `${PUBLISHED_NAMESPACE}/rightsize-api:${version}`;
  assert.equal(imageDefault(doc.services.api.image), published);
  assert.ok(defineRecipes({ apiVersion: version, modelVersion: version }).find((r) => r.id === 'api')?.tags.includes(published), 'npm run images tags it');
  assert.deepEqual(doc.services.api.build, { context: '..', dockerfile: 'inference-api/Dockerfile' });
});

test('the root .env names the compose file, so `docker compose up` works from the root without -f', async () => {
  const env = Object.fromEntries((await readFile(path.join(REPO_ROOT, '.env'), 'utf8')).split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split('=', 2) as [string, string]));
  assert.equal(env.COMPOSE_FILE, 'compose/docker-compose.yml');
});

test('recipes pin the versions the architecture table names', async () => {
  const doc = await readFile(path.join(REPO_ROOT, 'docs/architecture.md'), 'utf8');
  for (const r of recipes.filter((x) => x.thirdParty)) assert.ok(doc.includes(`\`${r.tags[0]}\``), `${r.tags[0]} is in docs/architecture.md`);
});

test('the node sampler image (runtime swarm) is built FROM the node image and its hash covers what it copies', async () => {
  const sampler = recipes.find((r) => r.id === 'node-sampler')!;
  assert.deepEqual(sampler.parents, ['node']);
  assert.deepEqual(sampler.context, { repo: 'compose/images/node-sampler' });
  const sources = await copiedSources('compose/images/node-sampler/Dockerfile');
  assert.deepEqual(sources, ['sampler.mjs']);
  assert.ok(sampler.inputs.includes('compose/images/node-sampler'));
  const from = (await readFile(path.join(REPO_ROOT, 'compose/images/node-sampler/Dockerfile'), 'utf8')).match(/^ARG BASE_IMAGE=(\S+)/m)?.[1];
  assert.equal(from, recipes.find((r) => r.id === 'node')!.tags[0]);
});
