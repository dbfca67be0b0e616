/**
 * Pure parsers for what the docker CLI prints with `--format '{{json .}}'`. Kept apart from
 * the adapter so they are tested without an engine, and so a format change fails here, loudly.
 */
import { z } from 'zod';
import { RightsizeError } from './errors.js';

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** "12.5MiB" -> 13107200, "1.2kB" -> 1200, "0B" -> 0. */
export function parseByteSize(text: string): number {
  const m = /^\s*([\d.]+)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = (m?.[2] ?? '').toLowerCase() || 'b';
  const factor = UNITS[unit];
  if (!m || factor === undefined || Number.isNaN(Number(m[1]))) {
    throw new RightsizeError('DOCKER_ERR_PARSE', `cannot parse size "${text}"`);
  }
  return Math.round(Number(m[1]) * factor);
}

/** "a / b" -> [a, b] in bytes ("--" when the container is gone -> [0, 0]). */
function parsePair(text: string): [number, number] {
  const [a, b] = text.split('/').map((part) => (isBlank(part) ? '0B' : part));
  return [parseByteSize(a ?? '0B'), parseByteSize(b ?? '0B')];
}

/** docker prints "--" for a value it has not measured yet (container starting or going away). */
function isBlank(text: string): boolean {
  return text.trim() === '--' || text.trim() === '';
}

function parsePercent(text: string): number {
  if (isBlank(text)) return 0;
  const n = Number(text.replace('%', '').trim());
  if (Number.isNaN(n)) throw new RightsizeError('DOCKER_ERR_PARSE', `cannot parse percentage "${text}"`);
  return n;
}

const RawStatsSchema = z.object({
  ID: z.string(),
  Name: z.string(),
  CPUPerc: z.string(),
  MemUsage: z.string(),
  MemPerc: z.string(),
  NetIO: z.string(),
  BlockIO: z.string(),
  PIDs: z.string(),
});

export const StatsSampleSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Host time the sample was read (ms since epoch). */
  at: z.number(),
  /** Percent of ONE core (docker's convention): 50 = half a core, 200 = two cores. */
  cpuPercent: z.number(),
  memUsageBytes: z.number(),
  memLimitBytes: z.number(),
  memPercent: z.number(),
  netRxBytes: z.number(),
  netTxBytes: z.number(),
  blockReadBytes: z.number(),
  blockWriteBytes: z.number(),
  pids: z.number(),
});
export type StatsSample = z.infer<typeof StatsSampleSchema>;

// `docker stats` without --no-stream redraws the screen between rounds with ANSI codes.
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** One `docker stats --format '{{json .}}'` line -> a sample, or undefined for blank/redraw lines. */
export function parseStatsLine(line: string, at: number = Date.now()): StatsSample | undefined {
  const clean = line.replace(ANSI, '').trim();
  if (!clean) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(clean);
  } catch (cause) {
    throw new RightsizeError('DOCKER_ERR_PARSE', `docker stats printed a line that is not JSON: ${clean.slice(0, 200)}`, {}, { cause });
  }
  const raw = RawStatsSchema.parse(json);
  // A sample without CPU or memory numbers is no sample: zeros would read as an idle container.
  if (isBlank(raw.CPUPerc) || isBlank(raw.MemUsage.split('/')[0] ?? '')) return undefined;
  const [memUsageBytes, memLimitBytes] = parsePair(raw.MemUsage);
  const [netRxBytes, netTxBytes] = parsePair(raw.NetIO);
  const [blockReadBytes, blockWriteBytes] = parsePair(raw.BlockIO);
  return {
    id: raw.ID,
    name: raw.Name,
    at,
    cpuPercent: parsePercent(raw.CPUPerc),
    memUsageBytes,
    memLimitBytes,
    memPercent: parsePercent(raw.MemPerc),
    netRxBytes,
    netTxBytes,
    blockReadBytes,
    blockWriteBytes,
    pids: Number(raw.PIDs) || 0,
  };
}

/** `docker ps --format '{{json .}}'` row. Labels come as "k=v,k2=v2". */
const RawPsSchema = z.object({
  ID: z.string(),
  Names: z.string(),
  Image: z.string(),
  State: z.string().optional(),
  Status: z.string(),
  Labels: z.string(),
});

export const ContainerSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  /** created | running | paused | restarting | removing | exited | dead */
  state: z.string(),
  status: z.string(),
  labels: z.record(z.string(), z.string()),
});
export type ContainerSummary = z.infer<typeof ContainerSummarySchema>;

export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  if (!text) return labels;
  // Values may contain commas; a new label starts only where "key=" follows a comma.
  for (const part of text.split(/,(?=[^,=]+=)/)) {
    const eq = part.indexOf('=');
    if (eq > 0) labels[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return labels;
}

export function parsePsLine(line: string): ContainerSummary | undefined {
  if (!line.trim()) return undefined;
  const raw = RawPsSchema.parse(JSON.parse(line));
  const state = raw.State ?? (/^Up/.test(raw.Status) ? 'running' : /^Exited/.test(raw.Status) ? 'exited' : 'created');
  return { id: raw.ID, name: raw.Names, image: raw.Image, state, status: raw.Status, labels: parseLabels(raw.Labels) };
}

/** One value per line of CLI output; lines the parser returns undefined for (blank, redraws) are left out. */
export function parseLines<T>(text: string, parse: (line: string) => T | undefined): T[] {
  return text.split('\n').map((l) => parse(l)).filter((v): v is T => v !== undefined);
}

/** The parts of `docker inspect <container>` we rely on; everything else passes through. */
export const ContainerInspectSchema = z.looseObject({
  Id: z.string(),
  Name: z.string(),
  State: z.looseObject({
    Status: z.string(),
    Running: z.boolean(),
    ExitCode: z.number(),
    OOMKilled: z.boolean(),
    StartedAt: z.string(),
    FinishedAt: z.string(),
    Health: z.looseObject({ Status: z.string(), Log: z.array(z.looseObject({ ExitCode: z.number(), Output: z.string() })).nullish() }).nullish(),
  }),
  Config: z.looseObject({ Image: z.string(), Labels: z.record(z.string(), z.string()).nullish() }),
  /** Times the engine restarted it (a restart policy); 0 under Compose's and Swarm's `none`. */
  RestartCount: z.number().int().nonnegative().default(0),
  HostConfig: z.looseObject({ NanoCpus: z.number().nullish(), Memory: z.number().nullish() }),
  NetworkSettings: z.looseObject({
    Ports: z.record(z.string(), z.array(z.object({ HostIp: z.string(), HostPort: z.string() })).nullable()).nullish(),
    Networks: z.record(z.string(), z.looseObject({ IPAddress: z.string(), Aliases: z.array(z.string()).nullish() })).nullish(),
  }),
});
export type ContainerInspect = z.infer<typeof ContainerInspectSchema>;

export const ImageInspectSchema = z.looseObject({
  Id: z.string(),
  RepoTags: z.array(z.string()).nullish(),
  RepoDigests: z.array(z.string()).nullish(),
  Created: z.string(),
  Size: z.number(),
  Config: z.looseObject({ Labels: z.record(z.string(), z.string()).nullish(), User: z.string().nullish() }).nullish(),
});
export type ImageInspect = z.infer<typeof ImageInspectSchema>;

/** `docker network ls` / `docker volume ls` with `--format '{{json .}}'`: labels come as "k=v,k2=v2". */
const RawNetworkLsSchema = z.looseObject({ ID: z.string(), Name: z.string(), Labels: z.string() });
const RawVolumeLsSchema = z.looseObject({ Name: z.string(), Labels: z.string() });

export interface NetworkSummary {
  id: string;
  name: string;
  labels: Record<string, string>;
}
export interface VolumeSummary {
  name: string;
  labels: Record<string, string>;
}

export function parseNetworkLine(line: string): NetworkSummary | undefined {
  if (!line.trim()) return undefined;
  const raw = RawNetworkLsSchema.parse(JSON.parse(line));
  return { id: raw.ID, name: raw.Name, labels: parseLabels(raw.Labels) };
}

export function parseVolumeLine(line: string): VolumeSummary | undefined {
  if (!line.trim()) return undefined;
  const raw = RawVolumeLsSchema.parse(JSON.parse(line));
  return { name: raw.Name, labels: parseLabels(raw.Labels) };
}

/** The parts of `docker network inspect <network>` we rely on: its labels and the containers on it. */
export const NetworkInspectSchema = z.looseObject({
  Id: z.string(),
  Name: z.string(),
  Labels: z.record(z.string(), z.string()).nullish(),
  Containers: z.record(z.string(), z.looseObject({ Name: z.string().optional() })).nullish(),
});
export type NetworkInspect = z.infer<typeof NetworkInspectSchema>;

/** A Swarm service as `docker service ls` shows it: running and desired tasks. */
export interface ServiceSummary {
  name: string;
  running: number;
  desired: number;
}

/** `docker service ls --format '{{.Name}}\t{{.Replicas}}'` ("2/2", "1/1 (max 1 per node)"). */
export function parseServiceLs(text: string): ServiceSummary[] {
  return parseLines(text, (line) => {
    const [name, replicas] = line.trim().split('\t');
    const m = /^(\d+)\/(\d+)/.exec(replicas ?? '');
    return name && m ? { name, running: Number(m[1]), desired: Number(m[2]) } : undefined;
  });
}

/** The parts of `docker service inspect` we rely on: name and labels. */
export const ServiceInspectSchema = z.looseObject({
  ID: z.string(),
  Spec: z.looseObject({ Name: z.string(), Labels: z.record(z.string(), z.string()).nullish() }),
});
export type ServiceInspect = z.infer<typeof ServiceInspectSchema>;

/** One task of a stack, as `docker stack ps` shows it. */
export interface TaskState {
  name: string;
  state: string;
  error: string;
}

/** `docker stack ps --format '{{.Name}}\t{{.CurrentState}}\t{{.Error}}'`; earlier tasks' `\_ ` tree prefix is dropped. */
export function parseStackPs(text: string): TaskState[] {
  return parseLines(text, (line) => {
    const [name, state, error] = line.trim().split('\t');
    return name ? { name: name.replace(/^\\_\s*/, ''), state: state ?? '', error: error ?? '' } : undefined;
  });
}

/**
 * The parts of `docker inspect <task>` a sweep samples by: where the task runs (node), its
 * container, state, exit code, the host-mode ports it published and its limits.
 */
export const TaskInspectSchema = z.looseObject({
  ID: z.string(),
  NodeID: z.string().default(''),
  ServiceID: z.string(),
  Slot: z.number().optional(),
  DesiredState: z.string().default(''),
  Spec: z.looseObject({
    Resources: z.looseObject({ Limits: z.looseObject({ NanoCPUs: z.number().optional(), MemoryBytes: z.number().optional() }).nullish() }).nullish(),
  }),
  Status: z.looseObject({
    State: z.string(),
    Err: z.string().optional(),
    ContainerStatus: z.looseObject({ ContainerID: z.string().optional(), ExitCode: z.number().optional() }).nullish(),
    PortStatus: z.looseObject({ Ports: z.array(z.looseObject({ TargetPort: z.number(), PublishedPort: z.number().optional(), PublishMode: z.string().optional() })).nullish() }).nullish(),
  }),
});
export type TaskInspect = z.infer<typeof TaskInspectSchema>;
