/**
 * k6 in its container (grafana/k6:1.8.1, built locally by `npm run images -- --offline`), with
 * the generator's own fixed CPU and memory, pinned apart from the API where the machine has
 * the cores. It joins the run's network to reach a service name, or the host's network for a
 * loopback target. Scripts and payloads are mounted read-only; the run folder is mounted
 * writable and k6 runs as the caller's uid so it can write there (the image's user 12345 could not).
 */
import path from 'node:path';
import { OWNER_LABEL, type Docker } from '@rightsize/compose/docker';
import { streamLines } from '@rightsize/compose/exec';
import { LoadError } from '../errors.js';
import type { LoadOptions } from '../options.js';
import { startDockerSampler } from '../sampling/docker-sampler.js';
import type { OnSample } from '../sampling/types.js';
import { resolveCpuset } from './cpuset.js';
import { freeLoopbackPort as freePort } from '@rightsize/compose/net';
import { k6Args } from './k6-invocation.js';
import type { LaunchedEngine, OnEngineLine } from './types.js';

const IN = { scripts: '/rightsize/loadtest/k6', data: '/rightsize/loadtest/data', out: '/rightsize/out', payloads: '/rightsize/payloads.json' };
const REST_PORT = 6565;

export async function launchK6Docker(opts: {
  docker: Docker;
  options: Readonly<LoadOptions>;
  image: string;
  scenarioFile: string;
  k6Dir: string;
  dataDir: string;
  outDir: string;
  payloads: string | null;
  /** the run's network for a service target; null = host network (loopback target) */
  network: string | null;
  owner: string;
  namePrefix: string;
  onLine: OnEngineLine;
  onSample: OnSample;
}): Promise<LaunchedEngine> {
  const { docker, options } = opts;
  if (!(await docker.imageInspect(opts.image))) {
    throw new LoadError('LOAD_ERR_ENGINE_MISSING', `image ${opts.image} is not present: build it with \`npm run images -- --offline\`, or use --runtime local with a k6 binary`);
  }
  const hostNet = opts.network === null;
  const hostRestPort = hostNet ? await freePort() : null;
  const cpuset = resolveCpuset(options.generator.cpuset, options.generator.cpus);
  const args = k6Args(options, {
    script: `${IN.scripts}/${opts.scenarioFile}`,
    rawSummary: `${IN.out}/raw.json`,
    payloads: opts.payloads === null ? null : IN.payloads,
    restAddress: hostNet ? `127.0.0.1:${hostRestPort}` : `0.0.0.0:${REST_PORT}`,
  });
  const name = `${opts.namePrefix}-k6`;
  const id = await runOrRemove(docker, name, {
    image: opts.image,
    name,
    labels: { [OWNER_LABEL]: opts.owner },
    network: hostNet ? 'host' : opts.network!,
    cpus: options.generator.cpus,
    memory: options.generator.memory,
    user: `${process.getuid?.() ?? 12345}:${process.getgid?.() ?? 12345}`,
    env: { K6_NO_USAGE_REPORT: 'true' },
    volumes: [
      `${opts.k6Dir}:${IN.scripts}:ro`,
      `${opts.dataDir}:${IN.data}:ro`,
      `${path.resolve(opts.outDir)}:${IN.out}`,
      ...(opts.payloads === null ? [] : [`${opts.payloads}:${IN.payloads}:ro`]),
    ],
    publish: hostNet ? [] : [{ container: REST_PORT }],
    // (10,000 VUs hold up to 10,000 connections: the engine's default nofile limit, 20,000 here, suffices)
    extraArgs: cpuset ? ['--cpuset-cpus', cpuset] : [],
    command: args,
  });
  let removed = false;
  const cleanup = async () => {
    if (removed) return;
    removed = true;
    await docker.rm(id);
  };
  try {
    const logs = streamLines(docker.bin, ['logs', '--follow', id], opts.onLine);
    const restPort = hostNet ? hostRestPort : await docker.hostPort(id, REST_PORT).catch(() => null);
    const sampler = startDockerSampler({ docker, containers: [{ id, cpuShare: options.generator.cpus }], onSample: opts.onSample });
    let killTimer: NodeJS.Timeout | undefined;
    const done = docker.wait(id, 24 * 3600_000).then(async (code) => {
      clearTimeout(killTimer);
      await logs.done;
      return code;
    });
    return {
      runtime: 'docker',
      engineVersion: /:(\d+\.\d+\.\d+[\w.-]*)$/.exec(opts.image)?.[1] ?? opts.image,
      rawPath: path.join(opts.outDir, 'raw.json'),
      liveUrl: restPort === null ? null : `http://127.0.0.1:${restPort}`,
      done,
      interrupt: () => {
        void docker.kill(id, 'SIGINT').catch(() => undefined);
        killTimer ??= setTimeout(() => void docker.kill(id, 'SIGKILL').catch(() => undefined), 15_000);
      },
      sampler,
      cpuShare: options.generator.cpus,
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
export async function runOrRemove(docker: Docker, name: string, spec: Parameters<Docker['run']>[0]): Promise<string> {
  try {
    return await docker.run(spec);
  } catch (err) {
    await docker.rm(name).catch(() => undefined);
    throw new LoadError('LOAD_ERR_ENGINE_FAILED', `could not start the generator container ${name}: ${(err as Error).message}`, {}, { cause: err });
  }
}
