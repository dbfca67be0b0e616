/**
 * `debian:bookworm-slim` from packages: debootstrap (minbase) into a temp folder, trimmed the
 * way the official slim image is (no docs, man pages, locales, apt lists or caches; dpkg told
 * to keep it that way), then `docker import`ed with the recipe label. Needs root (debootstrap).
 */
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Docker } from '../docker.js';
import { RightsizeError } from '../errors.js';
import { exec } from '../exec.js';

/** dpkg excludes of the official slim image (debuerreotype's --slim). */
export const SLIM_DPKG_CFG = `# Trimmed like the official debian:*-slim image: no docs, man pages or translations.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
`;

export const APT_DOCKER_CFG = `# No package cache or translated indexes in the image.
APT::Install-Recommends "false";
Acquire::Languages "none";
Acquire::GzipIndexes "true";
Acquire::CompressionTypes::Order:: "gz";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
`;

/** Folders emptied after debootstrap (what dpkg's excludes would have kept out). */
const TRIM = ['var/cache/apt/archives', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/locale', 'usr/share/info', 'usr/share/groff', 'usr/share/lintian', 'var/log'];

/** The first Debian mirror apt is configured with (deb822 or one-line format). */
export async function detectDebianMirror(): Promise<string> {
  const fallback = 'http://deb.debian.org/debian';
  const dir = '/etc/apt/sources.list.d';
  const files = [...(await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.sources') || f.endsWith('.list')).map((f) => path.join(dir, f)), '/etc/apt/sources.list'];
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const m of text.matchAll(/^(?:URIs:\s*|deb\s+(?:\[[^\]]*\]\s+)?)(\S+)/gm)) {
      const uri = m[1]!;
      if (/debian\/?$/.test(uri) && !/security/.test(uri)) return uri.replace(/\/$/, '');
    }
  }
  return fallback;
}

export interface DebianBaseOptions {
  docker: Docker;
  tag: string;
  suite: string;
  mirror: string;
  labels: Record<string, string>;
  onLog?: (line: string) => void;
  timeoutMs?: number;
}

export async function buildDebianBase(opts: DebianBaseOptions): Promise<void> {
  const debootstrap = await exec('sh', ['-c', 'command -v debootstrap || ls /usr/sbin/debootstrap'], {}).then(
    (r) => r.stdout.trim().split('\n')[0]!,
    () => undefined,
  );
  if (!debootstrap) throw new RightsizeError('IMAGE_ERR_TOOL_MISSING', 'debootstrap is not installed: apt-get install -y debootstrap (needed to build debian:bookworm-slim offline)');
  if (process.getuid?.() !== 0) throw new RightsizeError('IMAGE_ERR_TOOL_MISSING', 'building the Debian base needs root (debootstrap creates device nodes and chroots)');
  const work = await mkdtemp(path.join(tmpdir(), 'rs-debootstrap-'));
  const root = path.join(work, 'rootfs');
  try {
    opts.onLog?.(`debootstrap --variant=minbase ${opts.suite} from ${opts.mirror}`);
    await exec(debootstrap, ['--variant=minbase', opts.suite, root, opts.mirror], { timeoutMs: opts.timeoutMs ?? 10 * 60_000, hint: `mirror ${opts.mirror}; set RIGHTSIZE_DEBIAN_MIRROR to use another` });
    for (const rel of TRIM) {
      const dir = path.join(root, rel);
      for (const entry of await readdir(dir).catch(() => [] as string[])) {
        if (rel === 'usr/share/locale' && entry === 'locale.alias') continue;
        if (rel === 'var/cache/apt/archives' && entry === 'partial') continue;
        await rm(path.join(dir, entry), { recursive: true, force: true });
      }
    }
    await rm(path.join(root, 'var/cache/apt/pkgcache.bin'), { force: true });
    await rm(path.join(root, 'var/cache/apt/srcpkgcache.bin'), { force: true });
    // Docker bind-mounts these at run time; the build host's copies must not ship.
    await writeFile(path.join(root, 'etc/resolv.conf'), '');
    await writeFile(path.join(root, 'etc/hostname'), '');
    await mkdir(path.join(root, 'etc/dpkg/dpkg.cfg.d'), { recursive: true });
    await writeFile(path.join(root, 'etc/dpkg/dpkg.cfg.d/docker-slim'), SLIM_DPKG_CFG);
    await writeFile(path.join(root, 'etc/apt/apt.conf.d/docker-slim'), APT_DOCKER_CFG);
    await writeFile(path.join(root, 'etc/apt/sources.list'), '');
    await mkdir(path.join(root, 'etc/apt/sources.list.d'), { recursive: true });
    await writeFile(
      path.join(root, 'etc/apt/sources.list.d/debian.sources'),
      `Types: deb\nURIs: ${opts.mirror}\nSuites: ${opts.suite} ${opts.suite}-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`,
    );
    opts.onLog?.(`docker import -> ${opts.tag}`);
    const changes = [...Object.entries(opts.labels).map(([k, v]) => `LABEL ${k}="${v}"`), 'CMD ["bash"]'];
    await opts.docker.importRootfs({ root, tag: opts.tag, changes });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
