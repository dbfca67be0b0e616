/**
 * The one generator launcher: an engine (k6, Locust: what to run) in a runtime (a local process
 * or Docker containers: how it starts). `auto` prefers the container, where the generator gets
 * its own fixed CPU and memory, and falls back to a local binary; a service-name target needs the
 * container (only it can join the run's network).
 */
import type { Docker } from '@rightsize/compose/docker';
import type { StepSchedule } from '../../k6/lib/schedule.js';
import { LoadError } from '../errors.js';
import type { LoadOptions } from '../options.js';
import type { OnSample } from '../sampling/types.js';
import type { TargetClass } from '../target-guard.js';
import { launchInDocker } from './docker-runtime.js';
import { k6 } from './k6.js';
import { findBinary, launchLocal } from './local-runtime.js';
import { locust } from './locust.js';
import { pacer } from './pacer.js';
import type { GeneratorEngine, InstanceShare, LaunchedEngine, OnEngineLine } from './types.js';

const ENGINES: Record<LoadOptions['engine'], GeneratorEngine> = { k6, locust, pacer };

export interface LaunchInput {
  options: Readonly<LoadOptions>;
  schedule: StepSchedule;
  target: TargetClass;
  outDir: string;
  payloads: string | null;
  /** io.rightsize.owner of the generator's containers */
  owner: string;
  /** unique prefix of their names */
  namePrefix: string;
  docker: Docker | null;
  /** this instance of a run split across several generators; null or absent = one generator */
  share?: InstanceShare | null;
  onLine: OnEngineLine;
  onSample: OnSample;
}

/** The engine's local executable, or null when there is none. */
export function findLocalEngine(engine: LoadOptions['engine']): Promise<string | null> {
  return findBinary(ENGINES[engine]);
}

export async function chooseRuntime(input: Pick<LaunchInput, 'options' | 'target' | 'docker'>): Promise<'local' | 'docker'> {
  const { options, target, docker } = input;
  const wanted = options.generator.runtime;
  const image = imageFor(options);
  const dockerReady = async () => docker !== null && (await docker.imageInspect(image).catch(() => undefined)) !== undefined;
  if (target.kind === 'service') {
    if (wanted === 'local') throw new LoadError('LOAD_ERR_BAD_OPTION', '--runtime local cannot reach a service name; use --runtime docker or a loopback URL');
    return 'docker';
  }
  if (wanted !== 'auto') return wanted;
  if (await dockerReady()) return 'docker';
  if (await findLocalEngine(options.engine)) return 'local';
  throw new LoadError(
    'LOAD_ERR_ENGINE_MISSING',
    `no ${options.engine} to run: neither the image ${image} (npm run images -- --offline) nor a local ${options.engine} binary was found`,
  );
}

export function imageFor(options: Readonly<LoadOptions>): string {
  return options.generator.image ?? ENGINES[options.engine].defaultImage();
}

export async function launchEngine(input: LaunchInput, runtime: 'local' | 'docker'): Promise<LaunchedEngine> {
  const { options, docker } = input;
  const engine = ENGINES[options.engine];
  if (runtime === 'local') return launchLocal(engine, input);
  if (docker === null) throw new LoadError('LOAD_ERR_ENGINE_MISSING', 'no Docker engine answers: start it, or use --runtime local');
  const network = input.target.kind === 'service' ? options.generator.network! : null;
  return launchInDocker(engine, { ...input, docker, image: imageFor(options), network });
}
