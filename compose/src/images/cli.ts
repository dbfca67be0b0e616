/**
 * npm run images [-- --offline] [--only api,k6] [--force] [--check] [--json] [--verbose] [--list]
 *
 * Builds every image the stack uses. --offline first builds the third-party images from
 * packages (Debian via debootstrap, Node from npm, k6 from its Go module, HAProxy, MLflow,
 * Locust and Python from Debian/PyPI), tagged exactly as the compose files pin them. An image
 * whose recipe has not changed is not rebuilt. Progress goes to stderr; --json prints the
 * report (rightsize.images/v1) on stdout.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { getComposeEnv } from '../config.js';
import { createDocker } from '../docker.js';
import { RightsizeError, isRightsizeError } from '../errors.js';
import { acquireBuildLock } from './build-lock.js';
import { buildImages, type BuildEvent, type ImagesReport } from './builder.js';
import { detectDebianMirror } from './debian-base.js';
import { defineRecipes, planOrder } from './recipes.js';
import { REPO_ROOT, packageVersion } from './repo-info.js';

const USAGE = `usage: npm run images -- [--offline] [--only <id,...>] [--force] [--check] [--json] [--verbose] [--list]
  --offline   also build the third-party images from packages (no registry reachable)
  --only      build only these recipes (and the parents they need), e.g. --only api
  --force     rebuild even when the recipe label matches
  --check     build nothing; report which images are outdated (exit 1 if any)
  --json      print the build report (rightsize.images/v1) on stdout
  --verbose   stream build output
  --list      list the recipes and their tags, build nothing`;

export async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        offline: { type: 'boolean', default: false },
        only: { type: 'string' },
        force: { type: 'boolean', default: false },
        check: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        verbose: { type: 'boolean', short: 'v', default: false },
        list: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new RightsizeError('IMAGE_ERR_BAD_ARGS', `${(err as Error).message}\n${USAGE}`);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const env = getComposeEnv();
  const catalog = defineRecipes({
    apiVersion: await packageVersion(REPO_ROOT, 'inference-api/package.json'),
    modelVersion: await packageVersion(REPO_ROOT, 'model/pyproject.toml'),
  });
  const only = args.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = (only ?? []).filter((id) => !catalog.some((r) => r.id === id));
  if (unknown.length) {
    throw new RightsizeError('IMAGE_ERR_UNKNOWN_IMAGE', `--only: unknown recipe(s) ${unknown.join(', ')}; known: ${catalog.map((r) => r.id).join(', ')}`);
  }
  const order = planOrder(catalog, { offline: args.offline, only });
  if (args.list) {
    for (const r of order) process.stdout.write(`${r.id.padEnd(8)} ${r.tags.join(', ')}${r.thirdParty ? '  (stand-in, --offline)' : ''}\n`);
    return 0;
  }
  const caBundle = env.RIGHTSIZE_CA_BUNDLE ?? '/etc/ssl/certs/ca-certificates.crt';
  if (env.RIGHTSIZE_CA_BUNDLE && !(await access(caBundle).then(() => true, () => false))) {
    throw new RightsizeError('IMAGE_ERR_BAD_ARGS', `RIGHTSIZE_CA_BUNDLE=${caBundle}: no such file`);
  }
  const docker = createDocker();
  await docker.serverVersion().catch((err: Error) => {
    throw new RightsizeError('IMAGE_ERR_TOOL_MISSING', `no Docker engine answers: ${err.message.split('\n')[0]}. Start one (dockerd >/var/log/dockerd.log 2>&1 &).`);
  });
  const release = await acquireBuildLock({ onWait: (pid) => process.stderr.write(`images: waiting for another image build (pid ${pid}) to finish\n`) });
  let report: ImagesReport;
  try {
    report = await buildImages({
      recipes: order,
      catalog,
      offline: args.offline,
      force: args.force,
      check: args.check,
      docker,
      repoRoot: REPO_ROOT,
      cacheDir: env.RIGHTSIZE_IMAGE_CACHE ? path.resolve(env.RIGHTSIZE_IMAGE_CACHE) : path.join(REPO_ROOT, '.cache/images'),
      caBundle,
      mirror: env.RIGHTSIZE_DEBIAN_MIRROR ?? (await detectDebianMirror()),
      source: env.RIGHTSIZE_IMAGE_SOURCE ?? 'https://github.com/rightsize/rightsize',
      onEvent: printer(args.verbose),
    });
  } finally {
    await release();
  }
  if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  printSummary(report);
  return report.ok ? 0 : 1;
}

function printer(verbose: boolean) {
  return (e: BuildEvent) => {
    if (e.type === 'skip') process.stderr.write(`[${e.recipe.id}] ${e.recipe.tags[0]} up to date (recipe ${e.hash.slice(0, 12)})\n`);
    else if (e.type === 'start') process.stderr.write(`[${e.recipe.id}] building ${e.recipe.tags.join(', ')} (${e.reason})\n`);
    else if (e.type === 'log' && verbose) process.stderr.write(`[${e.recipe.id}]   ${e.line}\n`);
    else if (e.type === 'done' && e.result.status === 'failed') process.stderr.write(`[${e.result.id}] FAILED: ${e.result.error?.message}\n`);
  };
}

function printSummary(report: ImagesReport): void {
  const mb = (b?: number) => (b === undefined ? '' : `${(b / 1e6).toFixed(0)} MB`);
  process.stderr.write(`\nimages (${(report.durationMs / 1000).toFixed(0)} s${report.offline ? ', offline' : ''}):\n`);
  for (const r of report.results) {
    process.stderr.write(`  ${r.status.padEnd(10)} ${r.tags[0]!.padEnd(34)} ${mb(r.sizeBytes).padStart(8)} ${(r.durationMs / 1000).toFixed(1).padStart(7)} s\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('images/cli.ts')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`images: ${isRightsizeError(err) ? `${err.code}: ${err.message}` : (err as Error).stack}\n`);
      process.exit(2);
    },
  );
}
