/**
 * What a publish pushes, as a pure function of the image's labels and the options: the target
 * repository and its tags (version, git sha, latest). Kept apart from the pushing so the rules
 * (Docker Hub default, dirty trees, names) are tested without a registry.
 */
import { z } from 'zod';
import { RightsizeError } from '../errors.js';

export const PublishTargetsSchema = z.object({
  source: z.string(),
  registry: z.string(),
  repository: z.string(),
  tags: z.array(z.string()).min(1),
  refs: z.array(z.string()).min(1),
});
export type PublishTargets = z.infer<typeof PublishTargetsSchema>;

export interface PublishRequest {
  /** Local image to publish (e.g. rightsize-api:0.1.0). */
  source: string;
  /** Its labels (org.opencontainers.image.version / revision). */
  labels: Record<string, string>;
  /** Registry host[:port]; empty or docker.io = Docker Hub. */
  registry?: string;
  /** Repository path in the registry; default <user>/rightsize-api. */
  repository?: string;
  /** Used for the Docker Hub default repository. */
  user?: string;
  /** Publish an image built from uncommitted files (tagged <sha>-dirty). */
  allowDirty?: boolean;
  latest?: boolean;
}

const REPO_RE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;

export function publishTargets(p: PublishRequest): PublishTargets {
  const hub = !p.registry || p.registry === 'docker.io' || p.registry === 'index.docker.io';
  const registry = hub ? 'docker.io' : p.registry!.replace(/\/+$/, '');
  let repository = p.repository;
  if (!repository) {
    if (!p.user) {
      throw new RightsizeError('PUBLISH_ERR_BAD_ARGS', 'no repository: pass --repo <name> (e.g. you/rightsize-api), or --user / DOCKERHUB_USERNAME for the default <user>/rightsize-api');
    }
    repository = `${p.user.toLowerCase()}/rightsize-api`;
  }
  if (!REPO_RE.test(repository)) throw new RightsizeError('PUBLISH_ERR_BAD_ARGS', `--repo "${repository}" is not a valid repository name (lowercase, [a-z0-9._-] separated by /)`);
  const version = p.labels['org.opencontainers.image.version'];
  const revision = p.labels['org.opencontainers.image.revision'];
  if (!version) throw new RightsizeError('PUBLISH_ERR_NO_IMAGE', `${p.source} has no org.opencontainers.image.version label: build it with \`npm run images\``);
  if (!revision || revision === 'unknown') throw new RightsizeError('PUBLISH_ERR_NO_IMAGE', `${p.source} has no git revision label: build it from a git checkout with \`npm run images\``);
  const dirty = revision.endsWith('-dirty');
  if (dirty && !p.allowDirty) {
    throw new RightsizeError('PUBLISH_ERR_BAD_ARGS', `${p.source} was built from uncommitted files (revision ${revision}): commit and rebuild, or pass --allow-dirty`);
  }
  const sha = `${revision.replace(/-dirty$/, '').slice(0, 12)}${dirty ? '-dirty' : ''}`;
  const tags = [version, sha, ...(p.latest === false ? [] : ['latest'])];
  for (const t of tags) if (!TAG_RE.test(t)) throw new RightsizeError('PUBLISH_ERR_BAD_ARGS', `tag "${t}" is not a valid Docker tag`);
  const base = hub ? repository : `${registry}/${repository}`;
  return { source: p.source, registry, repository, tags, refs: tags.map((t) => `${base}:${t}`) };
}
