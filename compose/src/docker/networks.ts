/**
 * Networks and volumes: create, inspect, list by label, remove. Part of the Docker adapter
 * (docker.ts).
 */
import { NetworkInspectSchema, parseLines, parseNetworkLine, parseVolumeLine, type NetworkInspect, type NetworkSummary, type VolumeSummary } from '../docker-parse.js';
import { filterArgs, firstOf, ignoreMissing, labelArgs, requireOwner, type DockerContext } from './context.js';

export function networkOps({ cli }: DockerContext) {
  return {
    async networkCreate(opts: { name: string; labels: Record<string, string>; driver?: string; internal?: boolean; attachable?: boolean }): Promise<string> {
      requireOwner(opts.labels, `docker network create ${opts.name}`);
      const args = ['network', 'create', ...labelArgs(opts.labels)];
      if (opts.driver) args.push('--driver', opts.driver);
      if (opts.internal) args.push('--internal');
      if (opts.attachable) args.push('--attachable');
      const { stdout } = await cli([...args, opts.name]);
      return stdout.trim();
    },
    /** Labels and member containers of a network; fails when there is no such network. */
    async networkInspect(name: string): Promise<NetworkInspect> {
      return NetworkInspectSchema.parse(firstOf((await cli(['network', 'inspect', name])).stdout));
    },
    async networkRm(names: string | string[]): Promise<void> {
      const list = [names].flat();
      if (list.length) await ignoreMissing(() => cli(['network', 'rm', ...list]));
    },
    /** Networks carrying all the given labels ('' value = label present). */
    async listNetworks(labels: Record<string, string>): Promise<NetworkSummary[]> {
      const { stdout } = await cli(['network', 'ls', '--no-trunc', ...filterArgs(labels), '--format', '{{json .}}']);
      return parseLines(stdout, parseNetworkLine);
    },

    async volumeRm(names: string | string[]): Promise<void> {
      const list = [names].flat();
      if (list.length) await ignoreMissing(() => cli(['volume', 'rm', '--force', ...list]));
    },
    /** Volumes carrying all the given labels ('' value = label present). */
    async listVolumes(labels: Record<string, string>): Promise<VolumeSummary[]> {
      const { stdout } = await cli(['volume', 'ls', ...filterArgs(labels), '--format', '{{json .}}']);
      return parseLines(stdout, parseVolumeLine);
    },
  };
}
