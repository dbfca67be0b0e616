/**
 * Synthetic stand-ins for a trial: a monotone capacity table over (replicas, cpus, memory) and
 * an oracle that "runs" the stepped load against it the way a real trial reports back
 * (largest step held, the failing step as the upper bound), optionally with an invalid
 * generator. No Docker: this is what proves the search, not the engine.
 */
import type { Candidates } from '../../src/plan/plan-schema.js';
import { configKey, type TrialConfig } from '../../src/core/config-space.js';
import type { Oracle, TrialAnswer, TrialRequest } from '../../src/core/frontier-search.js';

/** Mulberry32: small seeded PRNG so every failing case can be replayed from its seed. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomCandidates(random: () => number): Candidates {
  const pick = (pool: number[], min: number) => {
    const chosen = pool.filter(() => random() < 0.6);
    while (chosen.length < min) {
      const extra = pool.find((v) => !chosen.includes(v)) as number;
      chosen.push(extra);
    }
    return [...new Set(chosen)].sort((a, b) => a - b);
  };
  return {
    replicas: pick([1, 2, 3, 4], 1),
    cpus: pick([0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3], 1),
    memory: pick([64, 128, 192, 256, 384, 512, 1024], 1),
  };
}

/**
 * A random capacity (users) per configuration, monotone in every resource (and in replicas when
 * `monotoneInReplicas`): a random table made monotone by running maxima along each axis.
 */
export function randomMonotoneCapacity(random: () => number, candidates: Candidates, maxUsers: number, monotoneInReplicas = true): Map<string, number> {
  const { replicas, cpus, memory } = candidates;
  const cap: number[][][] = replicas.map(() => cpus.map(() => memory.map(() => Math.floor(random() * maxUsers * 1.3))));
  for (let r = 0; r < replicas.length; r++)
    for (let c = 0; c < cpus.length; c++)
      for (let m = 0; m < memory.length; m++) {
        const row = cap[r] as number[][];
        let v = (row[c] as number[])[m] as number;
        if (c > 0) v = Math.max(v, (row[c - 1] as number[])[m] as number);
        if (m > 0) v = Math.max(v, (row[c] as number[])[m - 1] as number);
        if (r > 0 && monotoneInReplicas) v = Math.max(v, ((cap[r - 1] as number[][])[c] as number[])[m] as number);
        (row[c] as number[])[m] = v;
      }
  const out = new Map<string, number>();
  replicas.forEach((rv, r) => cpus.forEach((cv, c) => memory.forEach((mv, m) => out.set(configKey({ replicas: rv, cpus: cv, memory_mib: mv }), ((cap[r] as number[][])[c] as number[])[m] as number))));
  return out;
}

export interface SyntheticOracleOptions {
  capacity: Map<string, number>;
  ladder: readonly number[];
  /** the generator cannot offer more than this many users: steps above it are invalid */
  generatorLimit?: number;
  /** attempts that fail on infrastructure before any step (e.g. 1: the first attempt of each config) */
  flakyAttempts?: (config: TrialConfig, attempt: number) => boolean;
}

export interface SyntheticOracle {
  oracle: Oracle;
  calls: TrialRequest[];
  /** ladder steps run over all calls: the load time the search spent */
  stepsRun: () => number;
}

export function createSyntheticOracle(options: SyntheticOracleOptions): SyntheticOracle {
  const calls: TrialRequest[] = [];
  let steps = 0;
  const oracle: Oracle = async (request) => {
    calls.push(request);
    const capacity = options.capacity.get(configKey(request.config));
    if (capacity === undefined) throw new Error(`no capacity for ${configKey(request.config)}`);
    if (options.flakyAttempts?.(request.config, request.attempt)) return { config: request.config, held: 0, upper: null, valid: false };
    let held = 0;
    let prev = 0;
    for (const users of options.ladder) {
      if (users < request.startUsers) {
        prev = users;
        continue;
      }
      steps++;
      if (options.generatorLimit !== undefined && users > options.generatorLimit) {
        return { config: request.config, held, upper: null, valid: false } satisfies TrialAnswer;
      }
      if (users > capacity) return { config: request.config, held, upper: held || prev, valid: true };
      held = users;
      prev = users;
    }
    return { config: request.config, held, upper: null, valid: true };
  };
  return { oracle, calls, stepsRun: () => steps };
}

/** The answer straight from the table: per replica count, the cheapest configuration whose capacity reaches the target. */
export function groundTruth(capacity: Map<string, number>, candidates: Candidates, target: number): Map<number, string | null> {
  const out = new Map<number, string | null>();
  for (const replicas of candidates.replicas) {
    let best: TrialConfig | null = null;
    for (const cpus of candidates.cpus)
      for (const memory_mib of candidates.memory) {
        const c = { replicas, cpus, memory_mib };
        if ((capacity.get(configKey(c)) ?? 0) < target) continue;
        if (!best || cpus < best.cpus || (cpus === best.cpus && memory_mib < best.memory_mib)) best = c;
      }
    out.set(replicas, best ? configKey(best) : null);
  }
  return out;
}
