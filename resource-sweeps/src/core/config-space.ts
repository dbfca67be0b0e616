/**
 * The configurations a sweep can try: (replicas, CPUs per replica, memory per replica), their
 * cost, and the resource order the search relies on ("a passes => everything with at least
 * a's resources passes").
 */
import { z } from 'zod';
import type { Candidates } from '../plan/plan-schema.js';
import { formatMemory } from '../plan/units.js';

export const TrialConfigSchema = z
  .object({
    replicas: z.number().int().positive(),
    /** CPU limit of each replica */
    cpus: z.number().positive(),
    /** memory limit of each replica, MiB */
    memory_mib: z.number().int().positive(),
  })
  .strict();
export type TrialConfig = z.infer<typeof TrialConfigSchema>;

/** Stable id for maps and file names: `r2-c0.5-m256`. */
export function configKey(config: TrialConfig): string {
  return `r${config.replicas}-c${config.cpus}-m${config.memory_mib}`;
}

/** `2 x (0.5 CPU, 256m)` for people. */
export function describeConfig(config: TrialConfig): string {
  return `${config.replicas} x (${config.cpus} CPU, ${formatMemory(config.memory_mib)})`;
}

/** Rounds away binary noise such as 3 * 0.1 = 0.30000000000000004. */
function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

export interface Cost {
  cpus: number;
  memory_mib: number;
}

export function totalCost(config: TrialConfig): Cost {
  return { cpus: round6(config.replicas * config.cpus), memory_mib: config.replicas * config.memory_mib };
}

/** Cheaper first: total CPUs, then total memory, then fewer replicas (simpler to run). */
export function compareCost(a: TrialConfig, b: TrialConfig): number {
  const ca = totalCost(a);
  const cb = totalCost(b);
  return ca.cpus - cb.cpus || ca.memory_mib - cb.memory_mib || a.replicas - b.replicas;
}

export interface OrderOptions {
  /** more replicas never hurt: lets results cross replica counts */
  monotoneInReplicas: boolean;
}

/** True when `a` has at most `b`'s resources in every dimension (so b does at least as well as a). */
export function isAtMost(a: TrialConfig, b: TrialConfig, options: OrderOptions): boolean {
  const replicasOk = options.monotoneInReplicas ? a.replicas <= b.replicas : a.replicas === b.replicas;
  return replicasOk && a.cpus <= b.cpus && a.memory_mib <= b.memory_mib;
}

export function sameConfig(a: TrialConfig, b: TrialConfig): boolean {
  return a.replicas === b.replicas && a.cpus === b.cpus && a.memory_mib === b.memory_mib;
}

/** Every configuration of the candidates (the exhaustive grid), replicas, then CPUs, then memory ascending. */
export function gridConfigs(candidates: Candidates): TrialConfig[] {
  const out: TrialConfig[] = [];
  for (const replicas of candidates.replicas)
    for (const cpus of candidates.cpus)
      for (const memory_mib of candidates.memory) out.push({ replicas, cpus, memory_mib });
  return out;
}
