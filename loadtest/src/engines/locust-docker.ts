/**
 * Locust in containers (locustio/locust:2.47.0, built locally): one standalone container, or
 * in distributed mode a master plus N worker containers, each with its own fixed CPU and
 * memory, on the run's network (service target) or the host's (loopback target). A Locust
 * process is one thread, so each container's share is at most one core.
 */
import path from 'node:path';
import { OWNER_LABEL, type Docker } from '@rightsize/compose/docker';
import { streamLines } from '@rightsize/compose/exec';
import type { Plan } from '../../k6/lib/plan.js';
import { LoadError } from '../errors.js';
import type { LoadOptions } from '../options.js';
import { startDockerSampler } from '../sampling/docker-sampler.js';
import type { OnSample } from '../sampling/types.js';
import { freeLoopbackPort as freePort } from '@rightsize/compose/net';
import { resolveCpuset } from './cpuset.js';
import { runOrRemove } from './k6-docker.js';
import { locustArgs, locustEnv, type LocustRole } from './locust-invocation.js';
import type { LaunchedEngine, OnEngineLine } from './types.js';

const IN = { locust: '/rightsize/loadtest/locust', data: '/rightsize/loadtest/data', out: '/rightsize/out', payloads: '/rightsize/payloads.json' };
const MASTER_PORT = 5557;

export async function launchLocustDocker(opts: {
  docker: Docker;
  options: Readonly<LoadOptions>;
  plan: Plan;
  image: string;
  locustDir: string;
  dataDir: string;
  outDir: string;
  payloads: string | null;
  network: string | null;
  owner: string;
  namePrefix: string;
  onLine: OnEngineLine;
  onSample: OnSample;
}): Promise<LaunchedEngine> {
  const { docker, options } = opts;
  if (!(await docker.imageInspect(opts.image))) {
    throw new LoadError('LOAD_ERR_ENGINE_MISSING', `image ${opts.image} is not present: build it with \`npm run images -- --offline\`, or use --runtime local with a locust executable`);
  }
  const hostNet = opts.network === null;
  const workers = options.generator.workers;
  const masterPort = hostNet ? await freePort() : MASTER_PORT;
  const env = locustEnv(options, opts.plan, { rawSummary: `${IN.out}/raw.json`, payloads: opts.payloads === null ? null : IN.payloads });
  const cpuset = resolveCpuset(options.generator.cpuset, options.generator.cpus * Math.max(1, workers));
  const share = Math.min(options.generator.cpus, 1);
  const ids: string[] = [];
  const start = (name: string, role: LocustRole) =>
    runOrRemove(docker, `${opts.namePrefix}-${name}`, {
      image: opts.image,
      name: `${opts.namePrefix}-${name}`,
      labels: { [OWNER_LABEL]: opts.owner },
      network: hostNet ? 'host' : opts.network!,
      cpus: options.generator.cpus,
      memory: options.generator.memory,
      user: `${process.getuid?.() ?? 1000}:${process.getgid?.() ?? 1000}`,
      env: { ...env, HOME: '/tmp' },
      workdir: IN.out,
      volumes: [
        `${opts.locustDir}:${IN.locust}:ro`,
        `${opts.dataDir}:${IN.data}:ro`,
        `${path.resolve(opts.outDir)}:${IN.out}`,
        ...(opts.payloads === null ? [] : [`${opts.payloads}:${IN.payloads}:ro`]),
      ],
      extraArgs: cpuset ? ['--cpuset-cpus', cpuset] : [],
      // Locust logs to stderr and `docker logs --follow` streams are read from stdout: merge them
      entrypoint: 'sh',
      command: ['-c', 'exec locust "$@" 2>&1', 'locust', ...locustArgs(options, `${IN.locust}/locustfile.py`, role)],
    });
  const cleanup = async () => {
    await docker.rm(ids.splice(0));
  };
  try {
    const main = await start(workers > 0 ? 'master' : 'locust', workers > 0 ? { role: 'master', workers, bindPort: masterPort } : { role: 'standalone', processes: 0 });
    ids.push(main);
    for (let i = 1; i <= workers; i++) {
      ids.push(await start(`worker-${i}`, { role: 'worker', masterHost: hostNet ? '127.0.0.1' : `${opts.namePrefix}-master`, masterPort }));
    }
    const logs = streamLines(docker.bin, ['logs', '--follow', main], opts.onLine);
    const sampler = startDockerSampler({ docker, containers: ids.map((id) => ({ id, cpuShare: share })), onSample: opts.onSample });
    let killTimer: NodeJS.Timeout | undefined;
    const done = docker.wait(main, 24 * 3600_000).then(async (code) => {
      clearTimeout(killTimer);
      await logs.done;
      return code;
    });
    return {
      runtime: 'docker',
      engineVersion: /:(\d+\.\d+\.\d+[\w.-]*)$/.exec(opts.image)?.[1] ?? opts.image,
      rawPath: path.join(opts.outDir, 'raw.json'),
      liveUrl: null,
      done,
      interrupt: () => {
        void docker.kill(main, 'SIGTERM').catch(() => undefined);
        killTimer ??= setTimeout(() => void docker.kill(main, 'SIGKILL').catch(() => undefined), 20_000);
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
