/**
 * Images and registries: inspect, tag, remove, import a root filesystem, push, pull, log in and out. Part of the Docker
 * adapter (docker.ts).
 */
import { spawn } from 'node:child_process';
import { ImageInspectSchema, type ImageInspect } from '../docker-parse.js';
import { CommandError, RightsizeError } from '../errors.js';
import { firstOf, ignoreMissing, type DockerContext } from './context.js';

export function imageOps({ bin, cli }: DockerContext) {
  return {
    /** `tar -C root -c . | docker import --change ... - tag`, without a shell: a root filesystem as an image. */
    importRootfs(o: { root: string; tag: string; changes: string[] }): Promise<void> {
      return new Promise((resolve, reject) => {
        const tar = spawn('tar', ['--numeric-owner', '-C', o.root, '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
        const imp = spawn(bin, ['import', ...o.changes.flatMap((c) => ['--change', c]), '-', o.tag], { stdio: ['pipe', 'pipe', 'pipe'] });
        let err = '';
        tar.stderr.on('data', (d: Buffer) => (err += d.toString()));
        imp.stderr.on('data', (d: Buffer) => (err += d.toString()));
        tar.stdout.pipe(imp.stdin);
        let tarCode: number | null = null;
        tar.on('close', (code) => (tarCode = code));
        imp.on('error', reject);
        imp.on('close', (code) => {
          if (code === 0 && (tarCode === 0 || tarCode === null)) resolve();
          else reject(new RightsizeError('IMAGE_ERR_BUILD', `docker import ${o.tag} failed (tar ${tarCode}, import ${code}): ${err.trim()}`));
        });
      });
    },
    /** Image metadata, or undefined when no such image is present locally. */
    async imageInspect(ref: string): Promise<ImageInspect | undefined> {
      try {
        return ImageInspectSchema.parse(firstOf((await cli(['image', 'inspect', ref])).stdout));
      } catch (err) {
        if (err instanceof CommandError && /no such image/i.test(err.stderr)) return undefined;
        throw err;
      }
    },
    async tag(source: string, target: string): Promise<void> {
      await cli(['tag', source, target]);
    },
    /** Removes an image (by tag or id, never forced). Only for images this project built or tagged. */
    async imageRm(ref: string): Promise<void> {
      await ignoreMissing(() => cli(['image', 'rm', ref]));
    },
    /** Pushes and returns the manifest digest the registry reported (sha256:...). */
    async push(ref: string, timeoutMs = 600_000): Promise<string> {
      const { stdout } = await cli(['push', ref], { timeoutMs });
      const digest = /digest: (sha256:[0-9a-f]{64})/.exec(stdout)?.[1];
      if (!digest) throw new RightsizeError('DOCKER_ERR_PARSE', `docker push ${ref}: no digest in output:\n${stdout}`);
      return digest;
    },
    async pull(ref: string, timeoutMs = 600_000): Promise<void> {
      await cli(['pull', ref], { timeoutMs });
    },
    /** Logs in with the password on stdin (never on the command line). */
    async login(opts: { registry: string; username: string; password: string }): Promise<void> {
      await cli(['login', '--username', opts.username, '--password-stdin', opts.registry], { input: opts.password });
    },
    async logout(registry: string): Promise<void> {
      await cli(['logout', registry]);
    },
  };
}
