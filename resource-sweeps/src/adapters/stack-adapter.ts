/**
 * The stack adapter a sweep's trial executor gets: Compose or Swarm, chosen per trial by the
 * plan's `runtime`, over the same compose file(s). `close` (the sweep's end) reaches the Swarm
 * adapter, which leaves swarm mode if it entered it.
 */
import type { Docker } from '@rightsize/compose/docker';
import { createComposeStackAdapter } from './compose-stack.js';
import type { StackAdapter } from './stack-common.js';
import { createSwarmStackAdapter } from './swarm-stack.js';

export interface StackAdapterOptions {
  docker: Docker;
  /** compose file(s) of the stack under test (default compose/docker-compose.yml) */
  files?: string[];
  cores?: number;
  /** a `runtime: swarm` sweep may enter swarm mode itself (--swarm-init, RIGHTSIZE_SWARM_INIT=1) */
  swarmInit?: boolean;
}

export function createStackAdapter(options: StackAdapterOptions): StackAdapter {
  const byRuntime = { compose: createComposeStackAdapter(options), swarm: createSwarmStackAdapter(options) };
  return {
    prepare: (stack) => byRuntime[stack.plan.runtime].prepare(stack),
    close: async () => (await byRuntime.swarm.close?.()) ?? null,
  };
}
