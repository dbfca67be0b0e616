/**
 * Builds the recipes in order, parents first, skipping every image whose recipe label matches
 * the hash of its current inputs (idempotent). Returns a report as data; the CLI prints it.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Docker } from '../docker.js';
import { RightsizeError } from '../errors.js';
import { prepareK6Context, prepareNodeContext } from './artifacts.js';
import { buildkitBuild } from './buildkit.js';
import { APT_DOCKER_CFG, SLIM_DPKG_CFG, buildDebianBase } from './debian-base.js';
import { RECIPE_LABEL, recipeHash } from './recipe-hash.js';
import type { Recipe } from './recipes.js';
import { revisionOf } from './repo-info.js';

export const ImageResultSchema = z.object({
  id: z.string(),
  tags: z.array(z.string()),
  status: z.enum(['built', 'up-to-date', 'outdated', 'failed', 'not-built']),
  recipeHash: z.string().optional(),
  imageId: z.string().optional(),
  sizeBytes: z.number().optional(),
  durationMs: z.number(),
  /** Why it was (re)built: no image, recipe changed, --force. */
  reason: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type ImageResult = z.infer<typeof ImageResultSchema>;

export const ImagesReportSchema = z.object({
  schema: z.literal('rightsize.images/v1'),
  offline: z.boolean(),
  startedAt: z.string(),
  durationMs: z.number(),
  ok: z.boolean(),
  results: z.array(ImageResultSchema),
});
export type ImagesReport = z.infer<typeof ImagesReportSchema>;

export type BuildEvent =
  | { type: 'start'; recipe: Recipe; reason: string }
  | { type: 'skip'; recipe: Recipe; hash: string }
  | { type: 'log'; recipe: Recipe; line: string }
  | { type: 'done'; result: ImageResult };

export interface BuildImagesOptions {
  recipes: Recipe[];
  /** All recipes (to resolve parents' tags). */
  catalog: Recipe[];
  offline: boolean;
  force: boolean;
  /** Only report what would be built (status `outdated`), build nothing. */
  check?: boolean;
  docker: Docker;
  repoRoot: string;
  cacheDir: string;
  caBundle?: string;
  mirror: string;
  source: string;
  onEvent?: (e: BuildEvent) => void;
}

export async function buildImages(o: BuildImagesOptions): Promise<ImagesReport> {
  const started = Date.now();
  const results: ImageResult[] = [];
  let failed = false;
  for (const recipe of o.recipes) {
    if (failed) {
      results.push({ id: recipe.id, tags: recipe.tags, status: 'not-built', durationMs: 0, reason: 'an earlier image failed' });
      continue;
    }
    const result = await buildOne(recipe, o);
    results.push(result);
    o.onEvent?.({ type: 'done', result });
    failed = result.status === 'failed';
  }
  const ok = !failed && !(o.check && results.some((r) => r.status === 'outdated'));
  return { schema: 'rightsize.images/v1', offline: o.offline, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started, ok, results };
}

async function buildOne(recipe: Recipe, o: BuildImagesOptions): Promise<ImageResult> {
  const t0 = Date.now();
  try {
    const parentIds: Record<string, string> = {};
    for (const p of recipe.parents) {
      const parent = o.catalog.find((r) => r.id === p);
      const tag = parent?.tags[0] ?? p;
      const img = await o.docker.imageInspect(tag);
      // Without --offline a third-party parent may still be in a registry only: its tag stands in.
      parentIds[p] = img?.Id ?? `registry:${tag}`;
    }
    const labels = await labelsFor(recipe, o);
    const extra = recipe.kind === 'debootstrap' ? { dpkg: SLIM_DPKG_CFG, apt: APT_DOCKER_CFG } : undefined;
    const hash = await recipeHash({ recipe, repoRoot: o.repoRoot, parentIds, labels, extra });
    const current = await o.docker.imageInspect(recipe.tags[0]!);
    const currentHash = current?.Config?.Labels?.[RECIPE_LABEL];
    if (current && currentHash === hash && !o.force) {
      for (const tag of recipe.tags.slice(1)) {
        const other = await o.docker.imageInspect(tag);
        if (other?.Id !== current.Id) await o.docker.tag(recipe.tags[0]!, tag);
      }
      o.onEvent?.({ type: 'skip', recipe, hash });
      return { id: recipe.id, tags: recipe.tags, status: 'up-to-date', recipeHash: hash, imageId: current.Id, sizeBytes: current.Size, durationMs: Date.now() - t0 };
    }
    const reason = o.force ? '--force' : !current ? 'no image yet' : !currentHash ? 'image was not built by this recipe' : 'recipe changed';
    if (o.check) return { id: recipe.id, tags: recipe.tags, status: 'outdated', recipeHash: hash, imageId: current?.Id, durationMs: Date.now() - t0, reason };
    o.onEvent?.({ type: 'start', recipe, reason });
    const onLog = (line: string) => o.onEvent?.({ type: 'log', recipe, line });
    const allLabels = { ...labels, [RECIPE_LABEL]: hash, 'io.rightsize.recipe-id': recipe.id };
    if (recipe.kind === 'debootstrap') {
      await buildDebianBase({ docker: o.docker, tag: recipe.tags[0]!, suite: recipe.versions.suite ?? 'bookworm', mirror: o.mirror, labels: allLabels, onLog, timeoutMs: recipe.timeoutMs });
      for (const tag of recipe.tags.slice(1)) await o.docker.tag(recipe.tags[0]!, tag);
    } else {
      const context = await contextFor(recipe, o, onLog);
      await buildkitBuild({
        dockerfile: path.join(o.repoRoot, recipe.dockerfile!),
        context,
        tags: recipe.tags,
        buildArgs: { ...recipe.buildArgs, ...ociArgs(recipe, labels) },
        labels: allLabels,
        caBundle: o.caBundle,
        timeoutMs: recipe.timeoutMs,
        onLog,
      });
    }
    const built = await o.docker.imageInspect(recipe.tags[0]!);
    if (current && built && current.Id !== built.Id) await dropReplaced(o.docker, current.Id);
    return { id: recipe.id, tags: recipe.tags, status: 'built', recipeHash: hash, imageId: built?.Id, sizeBytes: built?.Size, durationMs: Date.now() - t0, reason };
  } catch (err) {
    const e = err as Error & { code?: string };
    return { id: recipe.id, tags: recipe.tags, status: 'failed', durationMs: Date.now() - t0, error: { code: e.code ?? 'IMAGE_ERR_BUILD', message: e.message } };
  }
}

/** OCI labels for our own images (the Dockerfile sets them from build args). */
async function labelsFor(recipe: Recipe, o: BuildImagesOptions): Promise<Record<string, string>> {
  if (!recipe.oci) return {};
  const { revision, created } = await revisionOf(o.repoRoot, [recipe.dockerfile!, ...recipe.inputs]);
  const version = recipe.versions.api ?? recipe.versions.model ?? '0.0.0';
  return {
    'org.opencontainers.image.version': version,
    'org.opencontainers.image.revision': revision,
    'org.opencontainers.image.source': o.source,
    'org.opencontainers.image.created': created,
  };
}

function ociArgs(recipe: Recipe, labels: Record<string, string>): Record<string, string> {
  if (!recipe.oci) return {};
  return {
    VERSION: labels['org.opencontainers.image.version'] ?? '',
    REVISION: labels['org.opencontainers.image.revision'] ?? '',
    SOURCE: labels['org.opencontainers.image.source'] ?? '',
    CREATED: labels['org.opencontainers.image.created'] ?? '',
  };
}

async function contextFor(recipe: Recipe, o: BuildImagesOptions, onLog: (l: string) => void): Promise<string> {
  const ctx = recipe.context;
  if (!ctx) throw new RightsizeError('IMAGE_ERR_UNKNOWN_IMAGE', `recipe ${recipe.id} has no build context`);
  if ('repo' in ctx) {
    const dir = path.join(o.repoRoot, ctx.repo);
    await access(dir);
    return dir;
  }
  const a = { cacheDir: o.cacheDir, repoRoot: o.repoRoot, onLog };
  return ctx.artifact === 'node' ? prepareNodeContext(a) : prepareK6Context(a);
}

/**
 * The image a rebuild replaced is left untagged; remove it so rebuilds do not pile up dangling
 * images. By id and without force: the engine refuses when it still has a tag (someone tagged
 * it) or a container uses it, and then it stays. Never prunes anything else.
 */
async function dropReplaced(docker: Docker, id: string): Promise<void> {
  const img = await docker.imageInspect(id).catch(() => undefined);
  if (!img || (img.RepoTags?.length ?? 0) > 0 || !img.Config?.Labels?.[RECIPE_LABEL]) return;
  await docker.imageRm(id).catch(() => undefined);
}
