/**
 * Helpers for tests that need a real Docker engine.
 *
 *   import { requireDocker, createOwner, registerCleanup } from '@rightsize/compose/testing';
 *
 *   test('the image answers /predict', async (t) => {
 *     if (!(await requireDocker(t))) return;        // skipped loudly, or failed in CI
 *     const owner = createOwner('api-image');       // rs-api-image-<unique>
 *     registerCleanup(t, owner);                    // teardown next to setup, runs on failure too
 *     const id = await docker.run({ image, labels: ownerLabels(owner), publish: [{ container: 8000 }] });
 *   });
 *
 * The gate: no engine answers -> the test FAILS when CI or RIGHTSIZE_REQUIRE_DOCKER=1 is set,
 * otherwise it is skipped with the reason printed to stderr.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { getComposeEnv } from './config.js';
import { freeLoopbackPort } from './net.js';
import { createDocker, OWNER_LABEL, type Docker } from './docker.js';
import { PROJECT_LABEL } from './compose.js';

let engine: Promise<{ ok: true; version: string } | { ok: false; reason: string }> | undefined;

function probeEngine(docker: Docker) {
  engine ??= docker
    .serverVersion(15_000)
    .then((version) => ({ ok: true as const, version }))
    .catch((err: Error) => ({ ok: false as const, reason: err.message.split('\n').slice(0, 3).join(' ') }));
  return engine;
}

export interface RequireDockerOptions {
  /** Images that must exist locally (built by `npm run images -- --offline`). */
  images?: string[];
  docker?: Docker;
}

/**
 * Resolves true when an engine answers (and the listed images exist). Otherwise fails the
 * test under CI / RIGHTSIZE_REQUIRE_DOCKER=1, or skips it loudly and resolves false.
 */
export async function requireDocker(t: TestContext, opts: RequireDockerOptions = {}): Promise<boolean> {
  const env = getComposeEnv();
  const strict = env.CI || env.RIGHTSIZE_REQUIRE_DOCKER;
  const docker = opts.docker ?? createDocker();
  const probe = await probeEngine(docker);
  let problem: string | undefined;
  if (!probe.ok) {
    problem = `no Docker engine answers (${probe.reason}). Start one (dockerd >/var/log/dockerd.log 2>&1 &) or install docker.io.`;
  } else {
    const missing: string[] = [];
    for (const image of opts.images ?? []) if (!(await docker.imageInspect(image))) missing.push(image);
    if (missing.length) problem = `missing image(s) ${missing.join(', ')}: build them with \`npm run images -- --offline\`.`;
  }
  if (!problem) return true;
  if (strict) assert.fail(`Docker tier required (CI or RIGHTSIZE_REQUIRE_DOCKER=1): ${problem}`);
  process.stderr.write(`\n!!! SKIPPED Docker test "${t.name}": ${problem}\n`);
  t.skip(problem);
  return false;
}

/**
 * Resolves the path of a command-line tool a test needs (e.g. schemathesis, promtool), or, when it
 * is not installed, fails the test under CI / RIGHTSIZE_REQUIRE_DOCKER=1 and otherwise skips it
 * loudly and resolves null, like requireDocker. `hint` says how to install it.
 */
export function requireTool(t: TestContext, opts: { name: string; candidates: string[]; hint: string }): string | null {
  const found = opts.candidates.find((p) => existsSync(p));
  if (found) return found;
  const env = getComposeEnv();
  const problem = `${opts.name} is not installed (looked at ${opts.candidates.join(', ')}): ${opts.hint}`;
  if (env.CI || env.RIGHTSIZE_REQUIRE_DOCKER) assert.fail(`${opts.name} required (CI or RIGHTSIZE_REQUIRE_DOCKER=1): ${problem}`);
  process.stderr.write(`\n!!! SKIPPED test "${t.name}": ${problem}\n`);
  t.skip(problem);
  return null;
}

/** A unique owner id / compose project name: `rs-<prefix>-<time><random>` (lowercase, <= 40 chars). */
export function createOwner(prefix = 'test'): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 20) || 'test';
  return `rs-${clean}-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}
/** Compose project names follow the same rule as owners. */
export const createProjectName = createOwner;

/** `{ 'io.rightsize.owner': owner }`, for docker.run / networkCreate. */
export function ownerLabels(owner: string): Record<string, string> {
  return { [OWNER_LABEL]: owner };
}

export interface CleanupReport {
  containers: number;
  networks: number;
  volumes: number;
}

/**
 * Removes every container, network and volume labelled io.rightsize.owner=<owner>, plus
 * anything of the compose project of the same name (compose labels its objects itself).
 * Never touches objects without those labels.
 */
export async function cleanupByLabel(owner: string, opts: { docker?: Docker } = {}): Promise<CleanupReport> {
  const docker = opts.docker ?? createDocker();
  const selectors: Array<Record<string, string>> = [{ [OWNER_LABEL]: owner }, { [PROJECT_LABEL]: owner }];
  const report: CleanupReport = { containers: 0, networks: 0, volumes: 0 };
  for (const labels of selectors) {
    const containers = await docker.listContainers(labels);
    await docker.rm(containers.map((c) => c.id));
    report.containers += containers.length;
  }
  // Networks and volumes go after the containers that use them.
  for (const labels of selectors) {
    const networks = await docker.listNetworks(labels);
    await docker.networkRm(networks.map((n) => n.id));
    report.networks += networks.length;
    const volumes = await docker.listVolumes(labels);
    await docker.volumeRm(volumes.map((v) => v.name));
    report.volumes += volumes.length;
  }
  return report;
}

/** Registers `cleanupByLabel(owner)` as the test's teardown (runs when it fails, too). */
export function registerCleanup(t: Pick<TestContext, 'after'>, owner: string, opts: { docker?: Docker } = {}): void {
  t.after(async () => {
    await cleanupByLabel(owner, opts);
  });
}

/** The same as `freeLoopbackPort` (net.ts), under the name the tests use. */
export const getFreePort = freeLoopbackPort;

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface SchemathesisRun {
  code: number | null;
  output: string;
  /** Test cases Schemathesis generated ("N generated" in its summary), null if not printed. */
  cases: number | null;
  ms: number;
}

/**
 * Runs Schemathesis (installed by .ci/setup in .cache/contract-venv) against `<base>/docs/json`-like
 * `schemaUrl` with every check and every phase, a fixed seed and bounded examples per operation.
 * Resolves null when the tool is missing (the test was skipped or failed by requireTool).
 */
export async function runSchemathesis(
  t: TestContext,
  opts: { schemaUrl: string; baseUrl: string; maxExamples: number; seed: number; args?: string[]; configFile?: string },
): Promise<SchemathesisRun | null> {
  const bin = requireTool(t, {
    name: 'schemathesis',
    candidates: [join(REPO_ROOT, '.cache/contract-venv/bin/schemathesis')],
    hint: 'run `npm run setup` (.ci/setup installs it from inference-api/test/tools/requirements.txt)',
  });
  if (!bin) return null;
  const args = [...(opts.configFile ? ['--config-file', opts.configFile] : []), 'run', opts.schemaUrl, '--url', opts.baseUrl, ...(opts.configFile ? [] : ['--checks', 'all']), '--phases', 'examples,coverage,fuzzing,stateful'];
  args.push('--max-examples', String(opts.maxExamples), '--seed', String(opts.seed), '--generation-database', 'none', '--no-color', ...(opts.args ?? []));
  const started = Date.now();
  const child = spawn(bin, args, { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  const cases = /(\d+) generated/.exec(output);
  return { code, output, cases: cases ? Number(cases[1]) : null, ms: Date.now() - started };
}

/**
 * Which of `needles` occur anywhere in an image's layers: streams `docker save` (uncompressed
 * tar) through a sliding window, so a secret that must not be baked in is looked for in every
 * byte without writing the tar anywhere.
 */
export function imageTarContains(image: string, needles: readonly string[]): Promise<string[]> {
  const bin = getComposeEnv().RIGHTSIZE_DOCKER_BIN ?? 'docker';
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['save', image], { stdio: ['ignore', 'pipe', 'pipe'] });
    const found = new Set<string>();
    const keep = Math.max(...needles.map((n) => n.length));
    let tail = '';
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (chunk: string) => {
      const text = tail + chunk;
      for (const n of needles) if (!found.has(n) && text.includes(n)) found.add(n);
      tail = text.slice(-keep);
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve([...found]) : reject(new Error(`docker save ${image} exited ${code}`))));
  });
}
