/**
 * Pushes a planned publish: optional login (password on stdin), tag, push, and the digest the
 * registry reported, which every tag must share. Returns a report as data.
 */
import { z } from 'zod';
import type { Docker } from '../docker.js';
import { RightsizeError } from '../errors.js';
import type { PublishPlan } from './plan.js';

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
  plan: PublishPlan;
  credentials?: { username: string; password: string };
  onLog?: (line: string) => void;
}): Promise<PublishReport> {
  const t0 = Date.now();
  const { docker, plan } = o;
  if (o.credentials) {
    o.onLog?.(`docker login ${plan.registry} as ${o.credentials.username}`);
    await docker.login({ registry: plan.registry, ...o.credentials }).catch((err: Error) => {
      throw new RightsizeError('PUBLISH_ERR_PUSH', `login to ${plan.registry} failed: ${err.message}`, {}, { cause: err });
    });
  }
  const digests = new Set<string>();
  for (const ref of plan.refs) {
    await docker.tag(plan.source, ref);
    o.onLog?.(`docker push ${ref}`);
    try {
      digests.add(await docker.push(ref));
    } catch (err) {
      throw new RightsizeError('PUBLISH_ERR_PUSH', `push ${ref} failed: ${(err as Error).message}`, {}, { cause: err });
    }
  }
  if (digests.size !== 1) throw new RightsizeError('PUBLISH_ERR_PUSH', `tags were pushed with different digests: ${[...digests].join(', ')}`);
  const digest = [...digests][0]!;
  const base = plan.registry === 'docker.io' ? plan.repository : `${plan.registry}/${plan.repository}`;
  return {
    schema: 'rightsize.publish/v1',
    source: plan.source,
    registry: plan.registry,
    repository: plan.repository,
    refs: plan.refs,
    digest,
    pinned: `${base}@${digest}`,
    durationMs: Date.now() - t0,
  };
}
