/**
 * The live page/API's ports on the real machine: sweeps from the one sweep factory on Docker
 * (a missing image named under the request body's `plan.target.image`, the run folder found
 * before anything touches Docker), the load runner (ad-hoc loads), and the balancer's
 * stats of the running trial or of a stack started by hand.
 */
import { createDocker, type Docker } from '@rightsize/compose/docker';
import { createSweepFactory } from '../engine/sweep-factory.js';
import { locateRun } from '../run-setup.js';
import type { WebOptions } from '../web/web-options.js';
import type { WebPorts } from '../web/web-ports.js';
import { createBalancerSource } from './balancer-source.js';
import { createDockerSweepPorts } from './docker-sweep-ports.js';
import { createLoadPort } from './load-port.js';

export function createDockerWebPorts(input: { options: WebOptions; docker?: Docker }): WebPorts {
  const docker = input.docker ?? createDocker();
  const prepare = createSweepFactory({ ports: createDockerSweepPorts({ docker }), imageKey: 'plan.target.image' });
  return {
    factory: async (request, signal) => prepare(await locateRun(request, input.options.reportsRoot), signal),
    load: createLoadPort({ docker }),
    balancer: createBalancerSource({ docker, fallbackStatsUrl: input.options.statsUrl }),
  };
}
