// LAB_MODE=mmc: POST /predict stops predicting and becomes an M/M/c station (see mmc-queue.ts),
// still behind admission control, so sweeps can be checked against queueing theory.
import type { FastifyInstance } from 'fastify';
import { performance } from 'node:perf_hooks';
import { Gauge, Histogram } from 'prom-client';
import type { AppContext } from '../app-context.js';
import type { Config } from '../config.js';
import { createMmcQueue, seededRandom } from './mmc-queue.js';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export async function labPlugin(app: FastifyInstance, options: { ctx: AppContext; lab: NonNullable<Config['lab']> }): Promise<void> {
  const { ctx, lab } = options;
  const registry = ctx.metrics.registry;
  const queue = createMmcQueue({
    servers: lab.servers,
    mu: lab.mu,
    random: lab.seed === undefined ? Math.random : seededRandom(lab.seed),
    now: () => performance.now() / 1000,
    schedule: (fn, ms) => void setTimeout(fn, ms),
  });
  new Gauge({ name: 'lab_queue_length', help: 'Requests waiting for a lab server', registers: [registry], collect() { this.set(queue.queueLength()); } });
  new Gauge({ name: 'lab_busy_servers', help: 'Lab servers holding a request', registers: [registry], collect() { this.set(queue.busyServers()); } });
  new Gauge({ name: 'lab_servers', help: 'LAB_SERVERS (c)', registers: [registry] }).set(lab.servers);
  new Gauge({ name: 'lab_mu', help: 'LAB_MU, service rate per server (1/s)', registers: [registry] }).set(lab.mu);
  const wait = new Histogram({ name: 'lab_wait_seconds', help: 'Time queued before a lab server took the request', buckets: BUCKETS, registers: [registry] });
  const service = new Histogram({ name: 'lab_service_seconds', help: 'Time a lab server held the request (exponential, rate LAB_MU)', buckets: BUCKETS, registers: [registry] });

  app.post('/predict', {
    config: { admission: true },
    onRequest: ctx.admission.onRequest,
    schema: { tags: ['lab'], summary: `Queueing lab (LAB_MODE=mmc, c=${lab.servers}, mu=${lab.mu}/s): waits for a server, holds it, answers` },
    validatorCompiler: () => (data) => ({ value: data }),
    async handler() {
      const visit = await queue.enter();
      wait.observe(visit.waitSeconds);
      service.observe(visit.heldSeconds);
      return { lab: { mode: 'mmc', servers: lab.servers, mu: lab.mu, waitMs: visit.waitSeconds * 1000, serviceMs: visit.heldSeconds * 1000 } };
    },
  });
}
