/**
 * The stack under test for one trial, through @rightsize/compose: the API service with the
 * trial's replicas and limits behind the HAProxy balancer, on a network this trial created and
 * labelled with the sweep's owner (so the load runner may target it). Ready means: compose says
 * every container is healthy, the balancer lists every replica UP, and the health path answers
 * 200 through the balancer (stack-common.ts).
 */
import path from 'node:path';
import { createCompose, SERVICE_LABEL } from '@rightsize/compose/compose';
import type { Docker } from '@rightsize/compose/docker';
import { SweepError } from '../errors.js';
import { createStackHandle, DEFAULT_COMPOSE_FILE, describeConfig, untilAborted, type StackAdapter } from './stack-common.js';

export function createComposeStackAdapter(options: { docker: Docker; files?: string[]; cores?: number }): StackAdapter {
  const files = (options.files ?? [DEFAULT_COMPOSE_FILE]).map((f) => path.resolve(f));
  const { docker } = options;
  return {
    async prepare(stack) {
      const { project, owner, config, plan, signal, onDetail } = stack;
      if (plan.runtime !== 'compose') {
        throw new SweepError('SWEEP_ERR_ARGS', `this stack adapter drives Compose, the plan asks for runtime "${plan.runtime}"`, {
          key: 'runtime',
          hint: 'build the trial executor with createStackAdapter (adapters/stack-adapter.ts), which picks the adapter by plan.runtime',
        });
      }
      return createStackHandle(stack, options, ({ env }) => {
        const compose = createCompose({ projectName: project, owner, files, docker, env });
        return {
          containers: async () => (await compose.ps()).map((c) => ({ id: c.id, name: c.name, service: c.labels[SERVICE_LABEL] ?? 'unknown' })),
          logs: (tail) => compose.logs({ tail }),
          down: () => compose.down({ timeoutSec: 5 }),
          async deploy() {
            onDetail?.(`compose up ${project}: ${describeConfig(config)}`);
            await compose.up({ scale: { api: config.replicas }, wait: false });
            // compose's wait fails fast (with logs) when a container exits, e.g. OOM-killed while starting
            await untilAborted(compose.waitHealthy({ timeoutMs: plan.trial.healthy_timeout * 1000, expect: { api: config.replicas } }), signal);
          },
          running: async () => (await compose.ps()).map((c) => c.id),
          async balancer() {
            const lb = (await compose.ps('lb'))[0];
            if (!lb) throw new SweepError('SWEEP_ERR_STACK_UP', `compose project ${project} has no "lb" service`, { hint: `check ${files.join(', ')}` });
            return lb.id;
          },
        };
      });
    },
  };
}
