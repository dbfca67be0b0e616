/**
 * The Docker runtime: the engine's containers with the generator's own fixed CPU and memory,
 * pinned apart from the API where the machine has the cores, labelled with the run's owner. They
 * join the run's network to reach a service name, or the host's network for a loopback target.
 * Scripts and payloads are mounted read-only; the run folder is mounted writable and the engine
 * runs as the caller's uid so it can write there (the images' own users could not).
 */
import path from 'node:path';
import { OWNER_LABEL, type Docker } from '@rightsize/compose/docker';
import { LoadError } from '../errors.js';
import { DATA_DIR } from '../paths.js';
import { startDockerSampler } from '../sampling/docker-sampler.js';
import type { OnSample } from '../sampling/types.js';
import { resolveCpuset } from './cpuset.js';
import type { EngineContext, GeneratorEngine, LaunchedEngine, OnEngineLine } from './types.js';

const IN = { data: '/rightsize/loadtest/data', out: '/rightsize/out', payloads: '/rightsize/payloads.json' };

export async function launchInDocker(
  engine: GeneratorEngine,
  input: Omit<EngineContext, 'rawSummary'> & {
    docker: Docker;
    image: string;
    /** the run's network for a service target; null = host network (loopback target) */
    network: string | null;
    owner: string;
    namePrefix: string;
    onLine: OnEngineLine;
    onSample: OnSample;
  },
): Promise<LaunchedEngine> {
  const { docker, options, image } = input;
  if (!(await docker.imageInspect(image))) {
    throw new LoadError('LOAD_ERR_ENGINE_MISSING', `image ${image} is not present: build it with \`npm run images -- --offline\`, or use --runtime local with ${engine.localHint}`);
  }
  const hostNet = input.network === null;
  const spec = await engine.inContainers({
    options,
    schedule: input.schedule,
    rawSummary: `${IN.out}/raw.json`,
    payloads: input.payloads === null ? null : IN.payloads,
    outDir: IN.out,
    share: input.share,
    hostNet,
    namePrefix: input.namePrefix,
  });
  const cpuset = resolveCpuset(options.generator.cpuset, spec.pinnedCpus);
  const share = engine.singleThreaded ? Math.min(options.generator.cpus, 1) : options.generator.cpus;
  const ids: string[] = [];
  const cleanup = async () => {
    await docker.rm(ids.splice(0));
  };
  try {
    for (const { name: suffix, command } of spec.containers) {
      const name = `${input.namePrefix}-${suffix}`;
      ids.push(
        await runOrRemove(docker, name, {
          image,
          name,
          labels: { [OWNER_LABEL]: input.owner },
          network: hostNet ? 'host' : input.network!,
          cpus: options.generator.cpus,
          memory: options.generator.memory,
          user: `${process.getuid?.() ?? spec.imageUid}:${process.getgid?.() ?? spec.imageUid}`,
          env: spec.env,
          workdir: spec.workdir,
          volumes: [
            `${spec.scripts}:${spec.scriptsIn}:ro`,
            `${DATA_DIR}:${IN.data}:ro`,
            `${path.resolve(input.outDir)}:${IN.out}`,
            ...(input.payloads === null ? [] : [`${input.payloads}:${IN.payloads}:ro`]),
          ],
          publish: spec.live !== null && 'containerPort' in spec.live ? [{ container: spec.live.containerPort }] : [],
          extraArgs: cpuset ? ['--cpuset-cpus', cpuset] : [],
          entrypoint: spec.entrypoint,
          command,
        }),
      );
    }
    const main = ids[0]!;
    const logs = docker.followLogs(main, input.onLine);
    const livePort = spec.live === null ? null : 'hostPort' in spec.live ? spec.live.hostPort : await docker.hostPort(main, spec.live.containerPort).catch(() => null);
    const sampler = startDockerSampler({ docker, containers: ids.map((id) => ({ id, cpuShare: share })), onSample: input.onSample });
    let killTimer: NodeJS.Timeout | undefined;
    const done = docker.wait(main, 24 * 3600_000).then(async (code) => {
      clearTimeout(killTimer);
      await logs.done;
      return code;
    });
    return {
      runtime: 'docker',
      engineVersion: /:(\d+\.\d+\.\d+[\w.-]*)$/.exec(image)?.[1] ?? image,
      rawPath: path.join(input.outDir, 'raw.json'),
      liveUrl: livePort === null ? null : `http://127.0.0.1:${livePort}`,
      done,
      interrupt: () => {
        void docker.kill(main, engine.stopSignal).catch(() => undefined);
        killTimer ??= setTimeout(() => void docker.kill(main, 'SIGKILL').catch(() => undefined), engine.stopGraceMs);
      },
      sampler,
      cpuShare: share,
      cleanup: async () => {
        await logs.stop();
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** docker run; a container that was created but failed to start is removed (by its unique name). */
async function runOrRemove(docker: Docker, name: string, spec: Parameters<Docker['run']>[0]): Promise<string> {
  try {
    return await docker.run(spec);
  } catch (err) {
    await docker.rm(name).catch(() => undefined);
    throw new LoadError('LOAD_ERR_ENGINE_FAILED', `could not start the generator container ${name}: ${(err as Error).message}`, {}, { cause: err });
  }
}
