/**
 * The per-node sampler of `runtime: swarm` (image rightsize-node-sampler,
 * compose/images/node-sampler): each trial's stack runs it as a global service, one task on every
 * node, with that node's cgroup filesystem mounted read-only and a host-mode port Swarm picks.
 * The sweep finds, for each node, the sampler task's published port and the node's swarm address,
 * and reads an API task's cgroup files from the sampler on the task's own node (POST /read, one
 * round trip per container per tick); cgroup.ts parses them as it parses local files. So API
 * tasks are sampled wherever Swarm placed them, and nothing assumes the sweep runs on their host.
 */
import type { Docker, TaskInspect } from '@rightsize/compose/docker';
import { SweepError } from '../errors.js';
import { createCgroupReader, type CgroupFiles, type CgroupReader } from './cgroup.js';

/** the port the sampler listens on inside its container (published in host mode on a port Swarm picks) */
export const NODE_SAMPLER_PORT = 9100;
export const NODE_SAMPLER_IMAGE = 'rightsize-node-sampler:latest';
/** the stack service the override adds (swarm-stack.ts) */
export const NODE_SAMPLER_SERVICE = 'sampler';

/**
 * fetch with a deadline that keeps the process alive while it waits (AbortSignal.timeout does not:
 * a connection Docker's proxy accepted before the sampler listens can hang with nothing else
 * pending, and Node would exit mid-await).
 */
export async function fetchWithin(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  try {
    return await fetch(url, { ...init, signal: controller.signal });
  } finally {
    clearTimeout(timer);
  }
}

/** The sampler's files over HTTP: a 400 (a refused path) or no answer is an error naming the sampler. */
export function remoteCgroupFiles(baseUrl: string, options: { timeoutMs?: number } = {}): CgroupFiles {
  return async (files) => {
    const res = await fetchWithin(`${baseUrl}/read`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ files }) }, options.timeoutMs ?? 2_000).catch((cause: Error) => {
      throw new SweepError('SWEEP_ERR_STACK_UP', `node sampler ${baseUrl} did not answer: ${cause.message}`, { cause, hint: 'the stack\'s "sampler" service runs on every node; check `docker service ps <stack>_sampler` and that the node\'s address is reachable from this host' });
    });
    const body = (await res.json().catch(() => null)) as { texts?: (string | null)[]; error?: string } | null;
    if (!res.ok || !Array.isArray(body?.texts) || body.texts.length !== files.length) {
      throw new SweepError('SWEEP_ERR_STACK_UP', `node sampler ${baseUrl} answered ${res.status}: ${body?.error ?? 'not the files asked for'}`, { hint: `its image must be ${NODE_SAMPLER_IMAGE} from this repository (npm run images -- --offline)` });
    }
    return body.texts;
  };
}

/** Pure: the host-mode port each node's running sampler task published, by node id. */
export function samplerPorts(tasks: readonly TaskInspect[]): Map<string, number> {
  const ports = new Map<string, number>();
  for (const t of tasks) {
    if (t.Status.State !== 'running' || !t.NodeID) continue;
    const port = t.Status.PortStatus?.Ports?.find((p) => p.TargetPort === NODE_SAMPLER_PORT)?.PublishedPort;
    if (port) ports.set(t.NodeID, port);
  }
  return ports;
}

/** Pure: the URL a node's sampler answers on (IPv6 addresses bracketed). */
export function samplerUrl(addr: string, port: number): string {
  return `http://${addr.includes(':') ? `[${addr}]` : addr}:${port}`;
}

export interface NodeSamplers {
  /** the reader of a node's cgroups, through the sampler on that node; null while the node has no running sampler */
  readerFor(nodeId: string): Promise<CgroupReader | null>;
  /** the node's hostname, for samples and messages */
  hostname(nodeId: string): Promise<string>;
  /** resolves once every node running an API task answers through its sampler; throws at the deadline naming the nodes */
  waitReady(nodeIds: readonly string[], options: { deadline: number; signal?: AbortSignal }): Promise<void>;
}

/** The samplers of one stack's `sampler` service, found from its tasks and the nodes' swarm addresses (cached). */
export function createNodeSamplers(options: { docker: Docker; service: string }): NodeSamplers {
  const { docker, service } = options;
  const readers = new Map<string, { url: string; reader: CgroupReader }>();
  const nodes = new Map<string, { addr: string; hostname: string }>();

  async function node(nodeId: string): Promise<{ addr: string; hostname: string } | null> {
    const known = nodes.get(nodeId);
    if (known) return known;
    const found = (await docker.nodeAddresses([nodeId]))[nodeId];
    if (!found?.addr) return null;
    nodes.set(nodeId, found);
    return found;
  }

  async function readerFor(nodeId: string): Promise<CgroupReader | null> {
    const cached = readers.get(nodeId);
    if (cached) return cached.reader;
    const port = samplerPorts(await docker.inspectTasks(await docker.serviceTaskIds(service))).get(nodeId);
    const where = await node(nodeId);
    if (!port || !where) return null;
    const url = samplerUrl(where.addr, port);
    const reader = createCgroupReader({ files: remoteCgroupFiles(url) });
    readers.set(nodeId, { url, reader });
    return reader;
  }

  return {
    readerFor,
    hostname: async (nodeId) => (await node(nodeId))?.hostname ?? nodeId.slice(0, 12),
    async waitReady(nodeIds, { deadline, signal }) {
      const pending = new Set(nodeIds);
      let last = '';
      while (pending.size > 0) {
        for (const id of [...pending]) {
          const entry = (await readerFor(id)) ? readers.get(id) : undefined;
          if (!entry) {
            last = `no running sampler task on node ${id.slice(0, 12)} yet`;
            continue;
          }
          const ok = await fetchWithin(`${entry.url}/health`, {}, 2_000).then(
            (r) => r.ok,
            (e: Error) => ((last = `${entry.url}: ${e.message}`), false),
          );
          if (ok) pending.delete(id);
        }
        if (pending.size === 0) return;
        if (signal?.aborted) return;
        if (Date.now() > deadline) {
          throw new SweepError('SWEEP_ERR_UNHEALTHY', `the node sampler did not answer on ${pending.size} node(s): ${last}`, { hint: `every node needs the image ${NODE_SAMPLER_IMAGE} and its published port reachable from the sweep's host` });
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    },
  };
}
