/**
 * Picks the runtime (container or local process) and starts the chosen engine in it.
 * `auto` prefers the container, where the generator gets its own fixed CPU and memory, and
 * falls back to a local binary; a service-name target needs the container (only it can join
 * the run's network).
 */
import type { Docker } from '@rightsize/compose/docker';
import type { Plan } from '../../k6/lib/plan.js';
import { getLoadEnv } from '../config.js';
import { LoadError } from '../errors.js';
import type { LoadOptions } from '../options.js';
import { DATA_DIR, K6_DIR, LOCUST_DIR } from '../paths.js';
import type { OnSample } from '../sampling/types.js';
import type { TargetClass } from '../target-guard.js';
import { launchK6Docker } from './k6-docker.js';
import { findLocalK6, launchK6Local } from './k6-local.js';
import { findLocalLocust, launchLocustLocal } from './locust-local.js';
import { launchLocustDocker } from './locust-docker.js';
import type { LaunchedEngine, OnEngineLine } from './types.js';

export interface LaunchInput {
  options: Readonly<LoadOptions>;
  plan: Plan;
  target: TargetClass;
  outDir: string;
  payloads: string | null;
  /** io.rightsize.owner of the generator's containers */
  owner: string;
  /** unique prefix of their names */
  namePrefix: string;
  docker: Docker | null;
  onLine: OnEngineLine;
  onSample: OnSample;
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
  const local = options.engine === 'k6' ? await findLocalK6() : await findLocalLocust();
  if (local) return 'local';
  throw new LoadError(
    'LOAD_ERR_ENGINE_MISSING',
    `no ${options.engine} to run: neither the image ${image} (npm run images -- --offline) nor a local ${options.engine} binary was found`,
  );
}

export function imageFor(options: Readonly<LoadOptions>): string {
  const env = getLoadEnv();
  return options.generator.image ?? (options.engine === 'k6' ? env.RIGHTSIZE_K6_IMAGE : env.RIGHTSIZE_LOCUST_IMAGE);
}

export async function launchEngine(input: LaunchInput, runtime: 'local' | 'docker'): Promise<LaunchedEngine> {
  const { options } = input;
  const network = input.target.kind === 'service' ? options.generator.network! : null;
  if (runtime === 'docker' && input.docker === null) throw new LoadError('LOAD_ERR_ENGINE_MISSING', 'no Docker engine answers: start it, or use --runtime local');
  if (options.engine === 'k6') {
    const scenarioFile = `${options.scenario}.ts`;
    return runtime === 'local'
      ? launchK6Local({ options, script: `${K6_DIR}/${scenarioFile}`, outDir: input.outDir, payloads: input.payloads, onLine: input.onLine, onSample: input.onSample })
      : launchK6Docker({
          docker: input.docker!,
          options,
          image: imageFor(options),
          scenarioFile,
          k6Dir: K6_DIR,
          dataDir: DATA_DIR,
          outDir: input.outDir,
          payloads: input.payloads,
          network,
          owner: input.owner,
          namePrefix: input.namePrefix,
          onLine: input.onLine,
          onSample: input.onSample,
        });
  }
  return runtime === 'local'
    ? launchLocustLocal({ options, plan: input.plan, locustDir: LOCUST_DIR, outDir: input.outDir, payloads: input.payloads, onLine: input.onLine, onSample: input.onSample })
    : launchLocustDocker({
        docker: input.docker!,
        options,
        plan: input.plan,
        image: imageFor(options),
        locustDir: LOCUST_DIR,
        dataDir: DATA_DIR,
        outDir: input.outDir,
        payloads: input.payloads,
        network,
        owner: input.owner,
        namePrefix: input.namePrefix,
        onLine: input.onLine,
        onSample: input.onSample,
      });
}
