/**
 * Pushes a publish's targets: optional login (password on stdin), tag, push, and the digest the
 * registry reported, which every tag must share. Returns a report as data.
 */
import { z } from 'zod';
import type { Docker } from '../docker.js';
import { RightsizeError } from '../errors.js';
import type { PublishTargets } from './targets.js';

export const PublishReportSchema = z.object({
  schema: z.literal('rightsize.publish/v1'),
  source: z.string(),
  registry: z.string(),
  repository: z.string(),
  refs: z.array(z.string()),
  digest: z.string(),
  /** repository@digest: what to pull or deploy for an immutable reference. */
  pinned: z.string(),
  durationMs: z.number(),
});
export type PublishReport = z.infer<typeof PublishReportSchema>;

export async function publish(o: {
  docker: Docker;
  targets: PublishTargets;
  credentials?: { username: string; password: string };
  onLog?: (line: string) => void;
}): Promise<PublishReport> {
  const t0 = Date.now();
  const { docker, targets } = o;
  if (o.credentials) {
    o.onLog?.(`docker login ${targets.registry} as ${o.credentials.username}`);
    await docker.login({ registry: targets.registry, ...o.credentials }).catch((err: Error) => {
      throw new RightsizeError('PUBLISH_ERR_PUSH', `login to ${targets.registry} failed: ${err.message}`, {}, { cause: err });
    });
  }
  const digests = new Set<string>();
  for (const ref of targets.refs) {
    await docker.tag(targets.source, ref);
    o.onLog?.(`docker push ${ref}`);
    try {
      digests.add(await docker.push(ref));
    } catch (err) {
      throw new RightsizeError('PUBLISH_ERR_PUSH', `push ${ref} failed: ${(err as Error).message}`, {}, { cause: err });
    }
  }
  if (digests.size !== 1) throw new RightsizeError('PUBLISH_ERR_PUSH', `tags were pushed with different digests: ${[...digests].join(', ')}`);
  const digest = [...digests][0]!;
  const base = targets.registry === 'docker.io' ? targets.repository : `${targets.registry}/${targets.repository}`;
  return {
    schema: 'rightsize.publish/v1',
    source: targets.source,
    registry: targets.registry,
    repository: targets.repository,
    refs: targets.refs,
    digest,
    pinned: `${base}@${digest}`,
    durationMs: Date.now() - t0,
  };
}
