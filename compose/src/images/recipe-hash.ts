/**
 * The recipe hash: sha256 over everything that decides an image's content — the Dockerfile,
 * the files it copies, build args, pinned versions, labels and the ids of the images it is
 * built FROM. Stored on the image as a label; an image whose label matches is not rebuilt.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Recipe } from './recipes.js';

export const RECIPE_LABEL = 'io.rightsize.recipe';
/** Bump when the builder changes how it builds (so every image is rebuilt once). */
export const BUILDER_REVISION = '1';

// Same spirit as the root .dockerignore: never part of what an image copies.
const SKIP = new Set(['node_modules', '__pycache__', '.venv', 'dist', '.pytest_cache', '.git', '.mlflow']);
const SKIP_SUFFIX = ['.pyc', '.egg-info'];

/** Files under `rel` (a file or a folder), repo-relative, sorted. */
export async function listInputFiles(repoRoot: string, rel: string): Promise<string[]> {
  const abs = path.join(repoRoot, rel);
  const st = await stat(abs).catch(() => undefined);
  if (!st) throw new Error(`recipe input ${rel} does not exist (under ${repoRoot})`);
  if (st.isFile()) return [rel];
  const out: string[] = [];
  for (const entry of await readdir(abs, { withFileTypes: true })) {
    if (SKIP.has(entry.name) || SKIP_SUFFIX.some((s) => entry.name.endsWith(s))) continue;
    const child = path.posix.join(rel.split(path.sep).join('/'), entry.name);
    if (entry.isDirectory()) out.push(...(await listInputFiles(repoRoot, child)));
    else if (entry.isFile()) out.push(child);
  }
  return out.sort();
}

export async function sha256File(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

export interface HashInputs {
  recipe: Recipe;
  repoRoot: string;
  /** Image id of each parent recipe, by recipe id. */
  parentIds: Record<string, string>;
  /** Labels the build will set (OCI version/revision/source...). */
  labels: Record<string, string>;
  /** Extra facts for debootstrap-like recipes (e.g. the cleanup script). */
  extra?: Record<string, string>;
}

/** The material that is hashed, as data (printed by `--explain`). */
export async function recipeMaterial(inp: HashInputs): Promise<Record<string, unknown>> {
  const { recipe, repoRoot } = inp;
  const files: Record<string, string> = {};
  const rels = [...(recipe.dockerfile ? [recipe.dockerfile] : []), ...recipe.inputs];
  for (const rel of rels) {
    for (const f of await listInputFiles(repoRoot, rel)) files[f] = await sha256File(path.join(repoRoot, f));
  }
  return {
    builder: BUILDER_REVISION,
    id: recipe.id,
    tags: recipe.tags,
    kind: recipe.kind,
    buildArgs: sortKeys(recipe.buildArgs),
    versions: sortKeys(recipe.versions),
    labels: sortKeys(inp.labels),
    parents: sortKeys(inp.parentIds),
    extra: sortKeys(inp.extra ?? {}),
    files,
  };
}

export async function recipeHash(inp: HashInputs): Promise<string> {
  const material = await recipeMaterial(inp);
  return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}

function sortKeys(obj: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => a.localeCompare(b)));
}
