/**
 * The stack under test for one trial, through @rightsize/compose: the API service with the
 * trial's replicas and limits behind the HAProxy balancer, on a network this trial created and
 * labelled with the sweep's owner (so the load runner may target it). Ready means: compose says
 * every container is healthy, the balancer lists every replica UP, and the health path answers
 * 200 through the balancer (stack-common.ts).
 */
import os from 'node:os';
import path from 'node:path';
import { createCompose } from '@rightsize/compose/compose';
import type { Docker } from '@rightsize/compose/docker';
import { freeLoopbackPort } from '@rightsize/compose/net';
import { SweepError } from '../errors.js';
import {
  DEFAULT_COMPOSE_FILE,
  describeConfig,
  diedOnTheirOwn,
  ownedBalancerNetwork,
  pinStack,
  stackEnv,
  untilAborted,
  waitBalancerReady,
  type StackAdapter,
  type StackHandle,
} from './stack-common.js';

// the shared contract, where the runner and older imports look for it
export { DEFAULT_COMPOSE_FILE, LB_INTERNAL_URL, untilAborted, type StackAdapter, type StackHandle, type StackOptions } from './stack-common.js';

const SERVICE_LABEL = 'com.docker.compose.service';

export function createComposeStackAdapter(options: { docker: Docker; files?: string[]; cores?: number }): StackAdapter {
  const files = (options.files ?? [DEFAULT_COMPOSE_FILE]).map((f) => path.resolve(f));
  const { docker } = options;
  return {
    async prepare({ project, owner, config, plan, signal, onDetail }) {
      if (plan.runtime !== 'compose') {
        throw new SweepError('SWEEP_ERR_ARGS', `this stack adapter drives Compose, the plan asks for runtime "${plan.runtime}"`, {
          key: 'runtime',
          hint: 'build the trial runner with createStackAdapter (adapters/stack-adapter.ts), which picks the adapter by plan.runtime',
        });
      }
      const [port, statsPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
      const compose = createCompose({ projectName: project, owner, files, docker, env: stackEnv({ plan, config, owner, port, statsPort }) });
      const containers = async () => (await compose.ps()).map((c) => ({ id: c.id, name: c.name, service: c.labels[SERVICE_LABEL] ?? 'unknown' }));
      const handle: StackHandle = {
        project,
        network: '',
        hostUrl: `http://127.0.0.1:${port}`,
        statsUrl: `http://127.0.0.1:${statsPort}/stats;csv`,
        containers,
        exits: async () => diedOnTheirOwn(docker, (await containers()).filter((c) => c.service === 'api')),
        logs: (tail) => compose.logs({ tail }),
        down: () => compose.down({ timeoutSec: 5 }),
        async up() {
          const timeoutMs = plan.trial.healthy_timeout * 1000;
          onDetail?.(`compose up ${project}: ${describeConfig(config)}`);
          await compose.up({ scale: { api: config.replicas }, wait: false });
          // compose's wait fails fast (with logs) when a container exits, e.g. OOM-killed while starting
          await untilAborted(compose.waitHealthy({ timeoutMs, expect: { api: config.replicas } }), signal);
          await pinStack({ docker, ids: (await compose.ps()).map((c) => c.id), plan, cores: options.cores ?? os.availableParallelism(), onDetail });
          const lb = (await compose.ps('lb'))[0];
          if (!lb) throw new SweepError('SWEEP_ERR_STACK_UP', `compose project ${project} has no "lb" service`, { hint: `check ${files.join(', ')}` });
          handle.network = await ownedBalancerNetwork({ docker, lbId: lb.id, project, owner });
          onDetail?.(`waiting for ${config.replicas} replica(s) UP behind the balancer`);
          await waitBalancerReady({ hostUrl: handle.hostUrl, statsUrl: handle.statsUrl, project, replicas: config.replicas, plan, deadline: Date.now() + timeoutMs, signal });
        },
      };
      return handle;
    },
  };
}
