/**
 * k6 as a generator engine: the binary from RIGHTSIZE_K6_BIN, PATH, ~/go/bin (where
 * `go install go.k6.io/k6@v1.8.1` puts it) or the image builder's cache, or its container
 * (grafana/k6:1.8.1, built locally by `npm run images -- --offline`). Live progress comes from
 * its REST API; it is one multi-threaded process, measured against the cores it may use.
 */
import path from 'node:path';
import { freeLoopbackPort } from '@rightsize/compose/net';
import { getLoadEnv } from '../config.js';
import { fallbackK6Paths, K6_DIR } from '../paths.js';
import { k6Args, parseK6Version } from './k6-invocation.js';
import type { GeneratorEngine } from './types.js';

const SCRIPTS_IN = '/rightsize/loadtest/k6';
const REST_PORT = 6565;
const NO_USAGE_REPORT = { K6_NO_USAGE_REPORT: 'true' };

export const k6: GeneratorEngine = {
  defaultImage: () => getLoadEnv().RIGHTSIZE_K6_IMAGE,
  localBinary() {
    const env = getLoadEnv();
    const dirs = [...(env.PATH ?? '').split(path.delimiter).filter(Boolean), ...(env.HOME ? [path.join(env.HOME, 'go', 'bin')] : [])];
    return { configured: env.RIGHTSIZE_K6_BIN, candidates: [...dirs.map((d) => path.join(d, 'k6')), ...fallbackK6Paths()] };
  },
  noBinary:
    'no k6 binary: set RIGHTSIZE_K6_BIN, put k6 on PATH (go install go.k6.io/k6@v1.8.1), or use --runtime docker with the grafana/k6:1.8.1 image (npm run images -- --offline)',
  localHint: 'a k6 binary',
  versionArgs: ['version'],
  parseVersion: parseK6Version,
  stopSignal: 'SIGINT',
  stopGraceMs: 15_000,
  cleanupGraceMs: 1000,
  singleThreaded: false,

  async local({ options, rawSummary, payloads }) {
    const port = await freeLoopbackPort();
    const args = k6Args(options, { script: `${K6_DIR}/${options.scenario}.ts`, rawSummary, payloads, restAddress: `127.0.0.1:${port}` });
    return { args, env: NO_USAGE_REPORT, liveUrl: `http://127.0.0.1:${port}`, forks: false };
  },

  async inContainers({ options, rawSummary, payloads, hostNet }) {
    const hostPort = hostNet ? await freeLoopbackPort() : null;
    const args = k6Args(options, {
      script: `${SCRIPTS_IN}/${options.scenario}.ts`,
      rawSummary,
      payloads,
      restAddress: hostPort !== null ? `127.0.0.1:${hostPort}` : `0.0.0.0:${REST_PORT}`,
    });
    return {
      scripts: K6_DIR,
      scriptsIn: SCRIPTS_IN,
      imageUid: 12345,
      env: NO_USAGE_REPORT,
      // (10,000 VUs hold up to 10,000 connections: the engine's default nofile limit, 20,000 here, suffices)
      containers: [{ name: 'k6', command: args }],
      pinnedCpus: options.generator.cpus,
      live: hostPort !== null ? { hostPort } : { containerPort: REST_PORT },
    };
  },
};
