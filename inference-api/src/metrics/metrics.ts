// Prometheus metrics, on a registry per app (tests build many apps in one process).
// `http_requests_total{route,method,status_code}` is the counter the load tests reconcile against
// (docs/architecture.md); keep its name and labels.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  /** Records one finished HTTP request. */
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  /** Records one session.run. */
  observeInference(rows: number, seconds: number): void;
  rejected: Counter<'reason'>;
}

export interface MetricsOptions {
  /** Read on scrape: requests counted against MAX_INFLIGHT right now. */
  inflight: () => number;
  inflightLimit: number;
  model: { name: string; version: string | null; sha256: string };
  limits: { cpus: number; memoryLimitBytes: number | null; heapLimitMb: number | null; intraOpThreads: number };
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const INFERENCE_BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  // process_resident_memory_bytes, nodejs_heap_*, nodejs_eventloop_lag_* (from monitorEventLoopDelay), GC.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  // prom-client names three gauges *_total, which Prometheus reserves for counters (promtool
  // check metrics flags them); each is the sum over `type` of the gauge of the same name without it.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);

  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status code',
    labelNames: ['route', 'method', 'status_code'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from request received to response sent, by route pattern, method and status code',
    labelNames: ['route', 'method', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const inference = new Histogram({
    name: 'inference_duration_seconds',
    help: 'Duration of one ONNX Runtime session.run (one micro-batch)',
    buckets: INFERENCE_BUCKETS,
    registers: [registry],
  });
  const batchRows = new Histogram({
    name: 'inference_batch_rows',
    help: 'Rows per session.run (> 1 when micro-batching coalesces requests or a request holds a batch)',
    buckets: BATCH_BUCKETS,
    registers: [registry],
  });
  new Gauge({
    name: 'inference_requests_in_flight',
    help: 'Inference requests accepted and not yet answered (queued or running)',
    registers: [registry],
    collect() {
      this.set(options.inflight());
    },
  });
  new Gauge({ name: 'inference_requests_in_flight_limit', help: 'MAX_INFLIGHT', registers: [registry] }).set(options.inflightLimit);
  const rejected = new Counter({
    name: 'inference_requests_rejected_total',
    help: 'Requests refused with 503 before any work because MAX_INFLIGHT were already in flight',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  rejected.inc({ reason: 'overload' }, 0);
  new Gauge({
    name: 'model_info',
    help: 'The served model (value is always 1)',
    labelNames: ['name', 'version', 'sha256'] as const,
    registers: [registry],
  }).set({ name: options.model.name, version: options.model.version ?? '', sha256: options.model.sha256 }, 1);
  const l = options.limits;
  new Gauge({ name: 'runtime_cpu_limit_cpus', help: 'CPUs this process may use (CFS quota capped by affinity)', registers: [registry] }).set(l.cpus);
  new Gauge({ name: 'runtime_memory_limit_bytes', help: 'Container memory limit (0 = none found)', registers: [registry] }).set(l.memoryLimitBytes ?? 0);
  new Gauge({ name: 'runtime_heap_limit_bytes', help: 'V8 old-space limit applied at startup (0 = V8 default)', registers: [registry] }).set((l.heapLimitMb ?? 0) * 2 ** 20);
  new Gauge({ name: 'runtime_ort_intra_op_threads', help: 'ONNX Runtime intra-op threads', registers: [registry] }).set(l.intraOpThreads);

  // Children cached per label set: label hashing on every request is measurable at 20k req/s.
  type Child = { c: { inc(): void }; h: { observe(v: number): void } };
  const children = new Map<string, Child>();
  return {
    registry,
    rejected,
    observeRequest(route, method, status, seconds) {
      const key = `${route} ${method} ${status}`;
      let child = children.get(key);
      if (!child) {
        const labels = { route, method, status_code: String(status) };
        child = { c: requests.labels(labels), h: duration.labels(labels) };
        children.set(key, child);
      }
      child.c.inc();
      child.h.observe(seconds);
    },
    observeInference(rows, seconds) {
      inference.observe(seconds);
      batchRows.observe(rows);
    },
  };
}
