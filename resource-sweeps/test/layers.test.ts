/**
 * The import rules of docs/architecture.md, read from the sources: inside resource-sweeps no
 * import runs from a lower layer to a higher one, and only the outer ring (adapters, lab, the
 * CLI) reaches Docker, Compose or the load runner. Across workspaces: compose imports no other
 * workspace, loadtest only compose, the API none.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../..');
const SRC = path.join(ROOT, 'resource-sweeps', 'src');

/** Lowest first; a module may import its own layer and those below it. */
const LAYERS: readonly (readonly string[])[] = [
  ['errors.ts', 'config.ts'],
  ['plan'],
  ['core'],
  ['results'],
  ['summary', 'queueing'],
  ['report'],
  ['engine'],
  ['run-setup.ts', 'terminal'],
  ['web'],
  ['adapters', 'lab', 'cli-args.ts'],
  ['cli.ts'],
];
const OUTER = new Set(['adapters', 'lab', 'cli-args.ts', 'cli.ts']);
/** What layers below the outer ring may use of the other workspaces: pure schemas and helpers. */
const INNER_ALLOWED = [/^@rightsize\/compose\/kit\//, /^@rightsize\/loadtest\/(summary-schema|options|protocol|schedule)$/];

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && /\.ts$/.test(e.name)).map((e) => path.join(e.parentPath, e.name));
}

async function importsOf(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+'([^']+)'/gm)].map((m) => m[1] as string);
}

function layerOf(fileInSrc: string): { name: string; rank: number } {
  const name = path.relative(SRC, fileInSrc).split(path.sep)[0] as string;
  const rank = LAYERS.findIndex((l) => l.includes(name));
  return { name, rank };
}

test('resource-sweeps: every source file belongs to a layer, and no import runs upward', async () => {
  const problems: string[] = [];
  for (const file of await sources(SRC)) {
    const from = layerOf(file);
    if (from.rank < 0) {
      problems.push(`${path.relative(ROOT, file)}: in no layer (add "${from.name}" to LAYERS and to docs/architecture.md)`);
      continue;
    }
    for (const spec of await importsOf(file)) {
      if (spec.startsWith('.')) {
        const to = layerOf(path.resolve(path.dirname(file), spec));
        if (to.rank > from.rank) problems.push(`${path.relative(ROOT, file)} (${from.name}) imports ${spec} (${to.name}, a higher layer)`);
      } else if (spec.startsWith('@rightsize/') && !OUTER.has(from.name) && !INNER_ALLOWED.some((re) => re.test(spec))) {
        problems.push(`${path.relative(ROOT, file)} (${from.name}) imports ${spec}: only adapters, lab and the CLI reach Docker, Compose and the load runner`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

test('workspaces: compose imports no other workspace, loadtest only compose, the API none', async () => {
  const rules: [string, RegExp][] = [
    ['compose/src', /^@rightsize\//],
    ['loadtest/src', /^@rightsize\/(?!compose\/)/],
    ['loadtest/k6', /^@rightsize\//],
    ['inference-api/src', /^@rightsize\//],
  ];
  const problems: string[] = [];
  for (const [dir, forbidden] of rules) {
    for (const file of await sources(path.join(ROOT, dir))) {
      for (const spec of await importsOf(file)) if (forbidden.test(spec)) problems.push(`${path.relative(ROOT, file)} imports ${spec}`);
    }
  }
  assert.deepEqual(problems, []);
});
