/**
 * Samples every container of a trial once per interval: CPU use (by difference of cumulative
 * CPU time), CFS throttling counters, memory and its high-water mark from the host's cgroup
 * files; running/OOM-killed/restart count and limits from one `docker inspect` of all of them;
 * and the host's CPU from /proc/stat. Swarm tasks on any node come with their own reader (that
 * node's sampler) and their state from the task (swarm-stack.ts), so nothing assumes they run here. Ticks never overlap; a slow tick delays the next.
 */
import { readFile } from 'node:fs/promises';
import type { Docker } from '@rightsize/compose/docker';
import type { ContainerSample, HostSample } from '../core/samples.js';
import { parsePressureTotal, parseProcStat, type CgroupReader, type CgroupReading } from './cgroup.js';

export interface SampledContainer {
  id: string;
  name: string;
  service: string;
  /** runtime swarm: the node the task runs on (hostname) */
  node?: string;
  /** where this container's cgroup files are read (a node sampler); default: the sampler's own reader */
  cgroups?: CgroupReader;
  /** what the orchestrator says of it (a Swarm task, maybe on another node); without it, `docker inspect` on this engine */
  status?: SampledStatus;
}

/** A container's state as the orchestrator reports it, for containers this engine cannot inspect. */
export interface SampledStatus {
  running: boolean;
  exitCode: number | null;
  cpuLimit: number | null;
  memLimitMib: number | null;
}

export interface ContainerSamplerOptions {
  docker: Docker;
  cgroups: CgroupReader;
  /** the containers to sample, asked every tick (replicas may restart or be replaced) */
  list: () => Promise<SampledContainer[]>;
  intervalMs: number;
  onSample?: (sample: ContainerSample) => void;
  onError?: (error: unknown) => void;
  /** /proc/stat text; injectable for tests */
  procStat?: () => Promise<string>;
  /** /proc/pressure/cpu text ('' without PSI); injectable for tests */
  cpuPressure?: () => Promise<string>;
  cores: number;
  memUsedMib?: () => number;
}

export interface ContainerSampler {
  stop(): Promise<{ samples: ContainerSample[]; host: HostSample[] }>;
}

const MIB = 1024 * 1024;

export function startContainerSampler(options: ContainerSamplerOptions): ContainerSampler {
  const samples: ContainerSample[] = [];
  const host: HostSample[] = [];
  const last = new Map<string, { t: number; reading: CgroupReading }>();
  let lastHost: { busy: number; total: number; t: number; stall_us: number | null } | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const procStat = options.procStat ?? (() => readFile('/proc/stat', 'utf8'));
  const pressure = options.cpuPressure ?? (() => readFile('/proc/pressure/cpu', 'utf8').catch(() => ''));

  async function tick(): Promise<void> {
    const containers = await options.list();
    const inspected = await options.docker.inspectContainers(containers.filter((c) => !c.status).map((c) => c.id));
    const t = Date.now();
    const infos = containers.map((c) => (c.status ? undefined : inspected.find((i) => i.Id === c.id || i.Id.startsWith(c.id))));
    const readings = await Promise.all(
      containers.map((c, i) =>
        (c.cgroups ?? options.cgroups).read(infos[i]?.Id ?? c.id).catch((error: unknown) => {
          options.onError?.(error);
          return null;
        }),
      ),
    );
    for (const [i, c] of containers.entries()) {
      const info = infos[i];
      const reading = readings[i] ?? null;
      const prev = last.get(c.id);
      const cpuPct = reading?.cpu_ns !== null && reading?.cpu_ns !== undefined && prev?.reading.cpu_ns != null && t > prev.t ? Math.max(0, (100 * (reading.cpu_ns - prev.reading.cpu_ns)) / ((t - prev.t) * 1e6)) : null;
      if (reading) last.set(c.id, { t, reading });
      const nano = info?.HostConfig.NanoCpus ?? null;
      const memLimit = c.status?.memLimitMib ?? (info?.HostConfig.Memory ? info.HostConfig.Memory / MIB : reading?.mem_limit_bytes != null ? reading.mem_limit_bytes / MIB : null);
      const sample: ContainerSample = {
        t,
        id: c.id,
        name: c.name,
        service: c.service,
        running: c.status?.running ?? info?.State.Running ?? false,
        cpu_pct: cpuPct,
        nr_periods: reading?.nr_periods ?? null,
        nr_throttled: reading?.nr_throttled ?? null,
        throttled_s: reading?.throttled_ns != null ? reading.throttled_ns / 1e9 : null,
        mem_mib: reading?.mem_bytes != null ? reading.mem_bytes / MIB : null,
        mem_peak_mib: reading?.mem_peak_bytes != null ? reading.mem_peak_bytes / MIB : null,
        mem_limit_mib: memLimit,
        cpu_limit: c.status ? c.status.cpuLimit : nano ? nano / 1e9 : null,
        oom_killed: (info?.State.OOMKilled ?? false) || (reading?.oom_kills ?? 0) > 0,
        restarts: info?.RestartCount ?? 0,
        exit_code: c.status ? (c.status.running ? null : c.status.exitCode) : info && !info.State.Running ? info.State.ExitCode : null,
        ...(c.node !== undefined ? { node: c.node } : {}),
      };
      samples.push(sample);
      options.onSample?.(sample);
    }
    const stat = parseProcStat(await procStat());
    const stall_us = parsePressureTotal(await pressure());
    if (stat && lastHost && stat.total > lastHost.total) {
      const stalled = stall_us !== null && lastHost.stall_us !== null && t > lastHost.t ? Math.min(100, Math.max(0, (100 * (stall_us - lastHost.stall_us)) / ((t - lastHost.t) * 1000))) : null;
      host.push({ t, cpu_pct: Math.min(100, (100 * (stat.busy - lastHost.busy)) / (stat.total - lastHost.total)), cores: options.cores, mem_used_mib: options.memUsedMib?.() ?? 0, cpu_pressure_pct: stalled });
    }
    if (stat) lastHost = { ...stat, t, stall_us };
  }

  const loop = () => {
    if (stopped) return;
    const started = Date.now();
    current = tick()
      .catch((error) => options.onError?.(error))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, Math.max(0, options.intervalMs - (Date.now() - started)));
      });
  };
  loop();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
      return { samples, host };
    },
  };
}
