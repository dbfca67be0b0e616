/**
 * Every image the stack uses, as data: what it is tagged (exactly as the compose files and
 * docs/architecture.md pin it), what it is built from, and which inputs decide whether it must
 * be rebuilt. Third-party images are stand-ins built from packages, for machines where no
 * registry answers (`--offline`); they are built only then.
 */
import { z } from 'zod';

export const VERSIONS = Object.freeze({
  debianSuite: 'bookworm',
  node: '24.21.0',
  npm: '11.21.2',
  haproxy: '2.6',
  k6: '1.8.1',
  python: '3.11',
  mlflow: '3.17.2',
  locust: '2.47.0',
});

/** The Docker Hub namespace the API image is published under; compose's default image names it. */
export const PUBLISHED_NAMESPACE = 'rightsize';

export const RecipeSchema = z.object({
  /** Short id used on the command line (`--only node,api`). */
  id: z.string().regex(/^[a-z0-9-]+$/),
  /** Tags, exactly as pinned; the first is the one inspected for the recipe label. */
  tags: z.array(z.string().min(1)).min(1),
  /** Stand-in for an image normally pulled from a registry: built only with --offline. */
  thirdParty: z.boolean(),
  /** Recipes this one builds FROM; their image ids enter the hash, so a new base rebuilds it. */
  parents: z.array(z.string()).default([]),
  kind: z.enum(['debootstrap', 'dockerfile']),
  /** Repo-relative Dockerfile (kind dockerfile). */
  dockerfile: z.string().optional(),
  /** Build context: a repo-relative folder, or a host-side artifact folder prepared first. */
  context: z.union([z.object({ repo: z.string() }), z.object({ artifact: z.enum(['node', 'k6']) })]).optional(),
  /** Repo-relative files/folders whose content decides the hash (besides the Dockerfile). */
  inputs: z.array(z.string()).default([]),
  buildArgs: z.record(z.string(), z.string()).default({}),
  /** Pinned versions: part of the hash and written as labels. */
  versions: z.record(z.string(), z.string()).default({}),
  /** Our own images get OCI labels with version/revision/source. */
  oci: z.boolean().default(false),
  /** Time budget for the build (ms). */
  timeoutMs: z.number().int().positive().default(20 * 60_000),
});
export type Recipe = z.infer<typeof RecipeSchema>;

const V = VERSIONS;

/** The API image copies exactly these (checked by a test against the Dockerfile's COPY lines). */
export const API_INPUTS = [
  'package.json',
  'package-lock.json',
  '.npmrc',
  'tsconfig.base.json',
  'compose/package.json',
  'loadtest/package.json',
  'resource-sweeps/package.json',
  'inference-api/package.json',
  'inference-api/tsconfig.build.json',
  'inference-api/src',
  'model/artifacts',
];

/** The mlflow-serve image copies these besides its Dockerfile (checked against its COPY lines). */
export const MLFLOW_SERVE_INPUTS = ['compose/images/mlflow-serve/serve.sh', 'model/artifacts/breast-cancer-gbt'];

/** The fastapi image copies these besides its Dockerfile (checked against its COPY lines); the model comes with its parent. */
export const FASTAPI_INPUTS = ['compose/images/fastapi/app.py', 'compose/images/fastapi/serve.sh'];

export function defineRecipes(opts: { apiVersion: string; modelVersion: string }): Recipe[] {
  const raw: z.input<typeof RecipeSchema>[] = [
    { id: 'debian', tags: [`debian:${V.debianSuite}-slim`], thirdParty: true, kind: 'debootstrap', versions: { suite: V.debianSuite, variant: 'minbase' }, timeoutMs: 10 * 60_000 },
    {
      id: 'node',
      tags: [`node:24-${V.debianSuite}-slim`],
      thirdParty: true,
      parents: ['debian'],
      kind: 'dockerfile',
      dockerfile: 'compose/images/node/Dockerfile',
      context: { artifact: 'node' },
      inputs: ['compose/images/node/docker-entrypoint.sh'],
      buildArgs: { NODE_VERSION: V.node, NPM_VERSION: V.npm },
      versions: { node: V.node, npm: V.npm },
    },
    {
      id: 'haproxy',
      tags: [`haproxy:${V.haproxy}`],
      thirdParty: true,
      parents: ['debian'],
      kind: 'dockerfile',
      dockerfile: 'compose/images/haproxy/Dockerfile',
      context: { repo: 'compose/images/haproxy' },
      inputs: ['compose/images/haproxy'],
      versions: { haproxy: V.haproxy },
    },
    {
      id: 'k6',
      tags: [`grafana/k6:${V.k6}`],
      thirdParty: true,
      parents: ['debian'],
      kind: 'dockerfile',
      dockerfile: 'compose/images/k6/Dockerfile',
      context: { artifact: 'k6' },
      versions: { k6: V.k6 },
    },
    {
      id: 'python',
      tags: [`python:${V.python}-slim-${V.debianSuite}`],
      thirdParty: true,
      parents: ['debian'],
      kind: 'dockerfile',
      dockerfile: 'compose/images/python/Dockerfile',
      context: { repo: 'compose/images/python' },
      versions: { python: V.python },
    },
    {
      id: 'mlflow',
      tags: [`ghcr.io/mlflow/mlflow:v${V.mlflow}`],
      thirdParty: true,
      parents: ['python'],
      kind: 'dockerfile',
      dockerfile: 'compose/images/mlflow/Dockerfile',
      context: { repo: 'compose/images/mlflow' },
      buildArgs: { MLFLOW_VERSION: V.mlflow },
      versions: { mlflow: V.mlflow },
    },
    {
      id: 'locust',
      tags: [`locustio/locust:${V.locust}`],
      thirdParty: true,
      parents: ['python'],
      kind: 'dockerfile',
      dockerfile: 'compose/images/locust/Dockerfile',
      context: { repo: 'compose/images/locust' },
      buildArgs: { LOCUST_VERSION: V.locust },
      versions: { locust: V.locust },
    },
    {
      id: 'model',
      tags: [`rightsize-model:${opts.modelVersion}`, 'rightsize-model:latest'],
      thirdParty: false,
      parents: ['python'],
      kind: 'dockerfile',
      dockerfile: 'compose/images/model/Dockerfile',
      context: { repo: 'model' },
      inputs: ['model/requirements.txt', 'model/pyproject.toml', 'model/src/rightsize_model'],
      versions: { model: opts.modelVersion },
      oci: true,
    },
    {
      // `mlflow models serve` on the committed model: the baseline a sweep compares the API with
      id: 'mlflow-serve',
      tags: [`rightsize-mlflow-serve:${opts.modelVersion}`, 'rightsize-mlflow-serve:latest'],
      thirdParty: false,
      parents: ['mlflow'],
      kind: 'dockerfile',
      dockerfile: 'compose/images/mlflow-serve/Dockerfile',
      context: { repo: '.' },
      inputs: MLFLOW_SERVE_INPUTS,
      versions: { model: opts.modelVersion, mlflow: V.mlflow },
      oci: true,
    },
    {
      // the FastAPI + uvicorn server an ML workshop writes around the model: a peer of the API
      id: 'fastapi',
      tags: [`rightsize-fastapi:${opts.modelVersion}`, 'rightsize-fastapi:latest'],
      thirdParty: false,
      parents: ['mlflow-serve'],
      kind: 'dockerfile',
      dockerfile: 'compose/images/fastapi/Dockerfile',
      context: { repo: '.' },
      inputs: FASTAPI_INPUTS,
      // FROM the parent's own tag, not :latest (which another build may have moved)
      buildArgs: { BASE_IMAGE: `rightsize-mlflow-serve:${opts.modelVersion}` },
      versions: { model: opts.modelVersion, mlflow: V.mlflow },
      oci: true,
    },
    {
      // the per-node sampler of runtime: swarm sweeps (a global service in each trial's stack)
      id: 'node-sampler',
      tags: [`rightsize-node-sampler:${opts.apiVersion}`, 'rightsize-node-sampler:latest'],
      thirdParty: false,
      parents: ['node'],
      kind: 'dockerfile',
      dockerfile: 'compose/images/node-sampler/Dockerfile',
      context: { repo: 'compose/images/node-sampler' },
      inputs: ['compose/images/node-sampler'],
      versions: { api: opts.apiVersion, node: V.node },
      oci: true,
      timeoutMs: 5 * 60_000,
    },
    {
      id: 'api',
      tags: [`rightsize-api:${opts.apiVersion}`, 'rightsize-api:latest', `${PUBLISHED_NAMESPACE}/rightsize-api:${opts.apiVersion}`],
      thirdParty: false,
      parents: ['node', 'debian'],
      kind: 'dockerfile',
      dockerfile: 'inference-api/Dockerfile',
      context: { repo: '.' },
      inputs: API_INPUTS,
      versions: { api: opts.apiVersion, node: V.node },
      oci: true,
    },
  ];
  return raw.map((r) => RecipeSchema.parse(r));
}

/** Recipes in build order (parents first), limited to `only` and their missing parents. */
export function planOrder(recipes: Recipe[], opts: { offline: boolean; only?: string[] }): Recipe[] {
  const byId = new Map(recipes.map((r) => [r.id, r]));
  const wanted = opts.only?.length ? opts.only : recipes.filter((r) => opts.offline || !r.thirdParty).map((r) => r.id);
  const order: Recipe[] = [];
  const seen = new Set<string>();
  const visit = (id: string, chain: string[]) => {
    const r = byId.get(id);
    if (!r) throw new Error(`unknown image recipe "${id}" (known: ${[...byId.keys()].join(', ')})`);
    if (chain.includes(id)) throw new Error(`recipe cycle: ${[...chain, id].join(' -> ')}`);
    if (seen.has(id)) return;
    // Without --offline, third-party parents come from a registry: do not build them.
    for (const p of r.parents) if (opts.offline || !byId.get(p)?.thirdParty) visit(p, [...chain, id]);
    seen.add(id);
    order.push(r);
  };
  for (const id of wanted) visit(id, []);
  return order;
}
