/**
 * Where the balancer's stats are: the running trial's HAProxy (found in Docker by the sweep's
 * owner label and compose service `lb`; its stats port is published on loopback at a port the
 * trial picked), or else the stats URL of a stack started by hand (`docker-compose up`
 * publishes it on 127.0.0.1:8404). Nothing answering is not an error here: it returns null.
 */
import { SERVICE_LABEL } from '@rightsize/compose/compose';
import { OWNER_LABEL, type Docker } from '@rightsize/compose/docker';
import type { BalancerView } from '../web/balancer.js';
import { parseBalancerCsv } from './balancer-view.js';
import type { BalancerSource } from '../web/web-ports.js';
import { getText } from './http.js';

const STATS_PORT = 8404;

export function createBalancerSource(options: { docker: Docker | null; fallbackStatsUrl: string; fetchText?: typeof getText }): BalancerSource {
  const fetchText = options.fetchText ?? getText;
  let owner: string | null = null;
  let cached: { id: string; url: string } | null = null;

  async function trialStatsUrl(): Promise<string | null> {
    if (!owner || !options.docker) return null;
    const lbs = await options.docker.listContainers({ [OWNER_LABEL]: owner, [SERVICE_LABEL]: 'lb' }, { all: false }).catch(() => []);
    const lb = lbs[0];
    if (!lb) return null;
    if (cached?.id !== lb.id) {
      const port = await options.docker.hostPort(lb.id, STATS_PORT).catch(() => null);
      if (port === null) return null;
      cached = { id: lb.id, url: `http://127.0.0.1:${port}/stats;csv` };
    }
    return cached.url;
  }

  async function readFrom(url: string): Promise<BalancerView | null> {
    const res = await fetchText(url, 1500);
    if (res?.status !== 200) return null;
    try {
      return parseBalancerCsv(res.text, { source: url });
    } catch {
      return null;
    }
  }

  return {
    setOwner(value) {
      owner = value;
      cached = null;
    },
    async read() {
      const trial = await trialStatsUrl();
      if (trial) {
        const view = await readFrom(trial);
        if (view) return view;
      }
      return readFrom(options.fallbackStatsUrl);
    },
    describe() {
      return `${owner ? `the running trial's balancer (containers labelled ${OWNER_LABEL}=${owner}), then ` : ''}${options.fallbackStatsUrl}`;
    },
  };
}
