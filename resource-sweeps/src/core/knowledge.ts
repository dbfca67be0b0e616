/**
 * What the sweep knows about each configuration's capacity, measured or inferred through the
 * resource order. Capacity is counted in the load ladder's users: `held` is the largest step a
 * configuration held; `upper` is the largest it can hold (known when a step failed on the
 * objective, unknown when a trial was cut short by the generator or the infrastructure).
 */
import { configKey, isAtMost, type OrderOptions, type TrialConfig } from './config-space.js';

export interface Measurement {
  config: TrialConfig;
  /** largest step held (users); 0 when not even the first step held */
  held: number;
  /** largest step it can hold at most; null when unknown (invalid trial) */
  upper: number | null;
  /** valid trials merged into this measurement (a boundary confirmation makes it 2); absent: 1 */
  runs?: number;
}

export type Status = 'pass' | 'fail' | 'unknown';

export interface Bounds {
  lower: number;
  upper: number | null;
  /** the measurement the lower / upper bound came from (itself or a neighbour in the order) */
  lowerFrom: TrialConfig | null;
  upperFrom: TrialConfig | null;
}

export interface Knowledge {
  record(measurement: Measurement): void;
  measurement(config: TrialConfig): Measurement | undefined;
  measurements(): Measurement[];
  /** bounds through the resource order; `order` overrides it (e.g. to ignore other replica counts) */
  bounds(config: TrialConfig, order?: OrderOptions): Bounds;
  /** pass/fail against a user count; a configuration's own valid measurement beats inference */
  status(config: TrialConfig, users: number): Status;
  /** whether the status came from measuring this very configuration */
  isMeasured(config: TrialConfig): boolean;
  /** bounds from the other configurations only: what a fresh trial of it would start from */
  boundsFromOthers(config: TrialConfig, order?: OrderOptions): Bounds;
}

/**
 * What one trial tells about its configuration: the largest step it held, or what it was already
 * known to hold when it started above that (from a smaller configuration), and its upper bound.
 * The search records its answers this way and the records are replayed this way.
 */
export function measurementOf(trial: Measurement & { valid?: boolean }, knownHeld: number): Measurement {
  return { config: trial.config, held: Math.max(trial.held, knownHeld), upper: trial.upper, runs: trial.valid === false ? 0 : 1 };
}

/**
 * Merges attempts at the same configuration: the best lower bound and the tightest known upper
 * bound. Two valid trials that disagree (one held a load the other failed) leave held above
 * upper: the configuration is then contradicted, and undecided for the loads in between.
 */
function merge(a: Measurement, b: Measurement): Measurement {
  const uppers = [a.upper, b.upper].filter((u): u is number => u !== null);
  return { config: a.config, held: Math.max(a.held, b.held), upper: uppers.length ? Math.min(...uppers) : null, runs: (a.runs ?? 1) + (b.runs ?? 1) };
}

const contradicted = (m: Measurement) => m.upper !== null && m.held > m.upper;

export function createKnowledge(order: OrderOptions): Knowledge {
  const byKey = new Map<string, Measurement>();

  function bounds(config: TrialConfig, override: OrderOptions = order, skipSelf = false): Bounds {
    let lower = 0;
    let upper: number | null = null;
    let lowerFrom: TrialConfig | null = null;
    let upperFrom: TrialConfig | null = null;
    const self = configKey(config);
    for (const [key, m] of byKey) {
      if (skipSelf && key === self) continue;
      // a contradicted configuration passes on only what both of its runs agree on
      const held = contradicted(m) ? (m.upper as number) : m.held;
      if (isAtMost(m.config, config, override) && held > lower) {
        lower = held;
        lowerFrom = m.config;
      }
      if (m.upper !== null && isAtMost(config, m.config, override) && (upper === null || m.upper < upper)) {
        upper = m.upper;
        upperFrom = m.config;
      }
    }
    return { lower, upper, lowerFrom, upperFrom };
  }

  return {
    record(measurement) {
      const key = configKey(measurement.config);
      const prior = byKey.get(key);
      byKey.set(key, prior ? merge(prior, measurement) : { ...measurement });
    },
    measurement: (config) => byKey.get(configKey(config)),
    measurements: () => [...byKey.values()],
    bounds,
    isMeasured: (config) => byKey.has(configKey(config)),
    boundsFromOthers: (config, override = order) => bounds(config, override, true),
    status(config, users) {
      const own = byKey.get(configKey(config));
      const held = own !== undefined && own.held >= users;
      const failed = own !== undefined && own.upper !== null && own.upper < users;
      // its own runs disagree at this load: neither verdict is trusted
      if (held && failed) return 'unknown';
      if (held) return 'pass';
      if (failed) return 'fail';
      const b = bounds(config);
      const pass = b.lower >= users;
      const fail = b.upper !== null && b.upper < users;
      // Noisy real data can contradict the order (a bigger config failing where a smaller one
      // passed); then neither inference is trusted and the configuration gets measured.
      if (pass && fail) return 'unknown';
      return pass ? 'pass' : fail ? 'fail' : 'unknown';
    },
  };
}
