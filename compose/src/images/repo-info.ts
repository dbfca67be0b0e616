/** Facts about the repository the images are built from: root, versions, git revision. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec } from '../exec.js';

/** compose/src/images -> repository root. */
export const REPO_ROOT = path.resolve(fileURLToPath(new URL('../../../', import.meta.url)));

export async function packageVersion(repoRoot: string, rel: string): Promise<string> {
  const text = await readFile(path.join(repoRoot, rel), 'utf8');
  if (rel.endsWith('.toml')) {
    const m = /^version\s*=\s*"([^"]+)"/m.exec(text);
    if (!m) throw new Error(`${rel}: no version = "..." line`);
    return m[1]!;
  }
  const v = (JSON.parse(text) as { version?: string }).version;
  if (!v) throw new Error(`${rel}: no "version"`);
  return v;
}

export interface Revision {
  /** Last commit touching `paths`, with `-dirty` when they differ from it; `unknown` outside git. */
  revision: string;
  /** That commit's time (ISO 8601), for org.opencontainers.image.created. */
  created: string;
}

/**
 * The revision of a set of paths, not of HEAD: committing unrelated files does not change it,
 * so it does not force a rebuild of an image whose inputs did not change.
 */
export async function revisionOf(repoRoot: string, paths: string[]): Promise<Revision> {
  try {
    const { stdout } = await exec('git', ['-C', repoRoot, 'log', '-1', '--format=%H %cI', '--', ...paths], { timeoutMs: 20_000 });
    const [sha, created] = stdout.trim().split(' ');
    if (!sha) return { revision: 'unknown', created: '' };
    const status = await exec('git', ['-C', repoRoot, 'status', '--porcelain', '--', ...paths], { timeoutMs: 20_000 });
    return { revision: status.stdout.trim() ? `${sha}-dirty` : sha, created: created ?? '' };
  } catch {
    return { revision: 'unknown', created: '' };
  }
}

export async function headSha(repoRoot: string): Promise<string | undefined> {
  try {
    return (await exec('git', ['-C', repoRoot, 'rev-parse', 'HEAD'], { timeoutMs: 20_000 })).stdout.trim();
  } catch {
    return undefined;
  }
}
