/**
 * Locust as a generator engine: the executable from RIGHTSIZE_LOCUST_BIN or PATH (pip install -r
 * loadtest/locust/requirements.txt), or its container (locustio/locust:2.47.0, built locally).
 * Locally one process, or a master with N forked workers (`--processes N`); in Docker one
 * standalone container, or a master plus N worker containers. Live progress comes from its
 * RS_LIVE lines; a process is one thread (gevent), so its share is at most one core.
 */
import path from 'node:path';
import { freeLoopbackPort } from '@rightsize/compose/net';
import { getLoadEnv } from '../config.js';
import { fallbackLocustPaths, LOCUST_DIR } from '../paths.js';
import { locustArgs, locustEnv, parseLocustVersion, type LocustRole } from './locust-invocation.js';
import type { GeneratorEngine } from './types.js';

const SCRIPTS_IN = '/rightsize/loadtest/locust';
const MASTER_PORT = 5557;

export const locust: GeneratorEngine = {
  defaultImage: () => getLoadEnv().RIGHTSIZE_LOCUST_IMAGE,
  localBinary() {
    const env = getLoadEnv();
    const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
    return { configured: env.RIGHTSIZE_LOCUST_BIN, candidates: [...dirs.map((d) => path.join(d, 'locust')), ...fallbackLocustPaths()] };
  },
  noBinary:
    'no locust executable: pip install -r loadtest/locust/requirements.txt (in a venv) and set RIGHTSIZE_LOCUST_BIN, or use --runtime docker with the locustio/locust:2.47.0 image',
  localHint: 'a locust executable',
  versionArgs: ['--version'],
  parseVersion: parseLocustVersion,
  // its SIGTERM handler stops the test and writes the result
  stopSignal: 'SIGTERM',
  stopGraceMs: 20_000,
  cleanupGraceMs: 2000,
  singleThreaded: true,

  async local({ options, schedule, rawSummary, payloads, outDir }) {
    const workers = options.generator.workers;
    return {
      args: locustArgs(options, path.join(LOCUST_DIR, 'locustfile.py'), { role: 'standalone', processes: workers }),
      env: locustEnv(options, schedule, { rawSummary, payloads }),
      cwd: outDir,
      liveUrl: null,
      forks: workers > 0,
    };
  },

  async inContainers({ options, schedule, rawSummary, payloads, outDir, hostNet, namePrefix }) {
    const workers = options.generator.workers;
    const masterPort = hostNet ? await freeLoopbackPort() : MASTER_PORT;
    // Locust logs to stderr and `docker logs --follow` streams are read from stdout: merge them
    const command = (role: LocustRole) => ['-c', 'exec locust "$@" 2>&1', 'locust', ...locustArgs(options, `${SCRIPTS_IN}/locustfile.py`, role)];
    const worker = { role: 'worker', masterHost: hostNet ? '127.0.0.1' : `${namePrefix}-master`, masterPort } as const;
    return {
      scripts: LOCUST_DIR,
      scriptsIn: SCRIPTS_IN,
      imageUid: 1000,
      env: { ...locustEnv(options, schedule, { rawSummary, payloads }), HOME: '/tmp' },
      workdir: outDir,
      entrypoint: 'sh',
      containers:
        workers > 0
          ? [
              { name: 'master', command: command({ role: 'master', workers, bindPort: masterPort }) },
              ...Array.from({ length: workers }, (_, i) => ({ name: `worker-${i + 1}`, command: command(worker) })),
            ]
          : [{ name: 'locust', command: command({ role: 'standalone', processes: 0 }) }],
      pinnedCpus: options.generator.cpus * Math.max(1, workers),
      live: null,
    };
  },
};
