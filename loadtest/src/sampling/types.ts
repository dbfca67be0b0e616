import type { GeneratorSample } from '../generator-health.js';

/** A running sampler of the generator's CPU and memory. */
export interface Sampler {
  /** stops sampling; resolves to every sample taken */
  stop(): Promise<GeneratorSample[]>;
}

export type OnSample = (sample: GeneratorSample) => void;
