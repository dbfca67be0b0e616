// Bounded waiting: how many requests one process lets wait, at every layer, sized from its CPU
// limit and the latency objective instead of fixed numbers. Past these bounds a request is
// refused fast (503 + Retry-After from admission.ts, or a connection closed before its body is
// read), never left waiting for seconds in a queue the process cannot work off in time.
//
// The rule (pure; defaults in the README's table):
//   capacity  mu = cpus / REQUEST_CPU_US           requests per second the CPU limit can answer
//   MAX_INFLIGHT K = ceil(mu x LATENCY_OBJECTIVE)  Little's law: the last admitted request waits
//                                                  about K / mu = the objective behind the others
//   LISTEN_BACKLOG = clamp(K, 64, 4096)            connections the kernel holds before Node
//                                                  accepts them (somaxconn caps it)
//   MAX_CONNECTIONS = max(1024, 4 K)               open connections; past it Node closes a new
//                                                  one at once. Each carries at most one request
//                                                  (no pipelining), so this bounds the requests
//                                                  sitting unread in socket buffers too
//   REQUEST_TIMEOUT_MS = max(1000, 10 x objective) the whole request (headers and body) must
//                                                  arrive within it, or 408 and the connection closes
// REQUEST_CPU_US defaults to 200: the API's CPU per request answered at thousands of requests per
// second was 178 us (resource-sweeps/bench/results/compare-default.md); at low rates it is more,
// but overload happens at high rates.

export type Auto<T> = 'auto' | T;

export interface OverloadSettings {
  maxInflight: Auto<number>;
  listenBacklog: Auto<number>;
  maxConnections: Auto<number>;
  requestTimeoutMs: Auto<number>;
  latencyObjectiveMs: number;
  requestCpuUs: number;
}

export interface OverloadLimits {
  /** requests per second the CPU limit answers, by the rule */
  capacityPerS: number;
  maxInflight: number;
  listenBacklog: number;
  maxConnections: number;
  /** headers and body must arrive within this */
  requestTimeoutMs: number;
  /** which of them the rule chose (the rest were set) */
  auto: string[];
}

export function deriveOverloadLimits(settings: OverloadSettings, cpus: number): OverloadLimits {
  const capacityPerS = (Math.max(cpus, 0.01) * 1e6) / settings.requestCpuUs;
  const auto: string[] = [];
  const pick = (name: string, value: Auto<number>, rule: () => number): number => {
    if (value !== 'auto') return value;
    auto.push(name);
    return rule();
  };
  const maxInflight = pick('MAX_INFLIGHT', settings.maxInflight, () => Math.max(8, Math.ceil((capacityPerS * settings.latencyObjectiveMs) / 1000)));
  return {
    capacityPerS: Math.round(capacityPerS),
    maxInflight,
    listenBacklog: pick('LISTEN_BACKLOG', settings.listenBacklog, () => Math.min(4096, Math.max(64, maxInflight))),
    maxConnections: pick('MAX_CONNECTIONS', settings.maxConnections, () => Math.max(1024, 4 * maxInflight)),
    requestTimeoutMs: pick('REQUEST_TIMEOUT_MS', settings.requestTimeoutMs, () => Math.max(1000, 10 * settings.latencyObjectiveMs)),
    auto,
  };
}
