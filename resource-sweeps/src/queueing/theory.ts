/**
 * M/M/1 and M/M/c formulas the queueing lab sets its measurements beside. Poisson arrivals at
 * rate lambda, exponential service at rate mu per server, c servers, FIFO, infinite queue.
 *   rho = lambda / (c mu);  a = lambda / mu (offered load in Erlangs)
 *   Erlang C: P(wait) = (a^c / c!) / (1 - rho) / (sum_{k<c} a^k / k! + (a^c / c!) / (1 - rho))
 *   Wq = P(wait) / (c mu - lambda);  W = Wq + 1/mu;  Lq = lambda Wq;  L = lambda W (Little)
 * For c = 1 this is W = 1 / (mu - lambda), with W exponential of rate mu - lambda, so its p-th
 * percentile is -ln(1 - p) / (mu - lambda). For c > 1 the response time is "no wait or an
 * exponential wait of rate c mu - lambda" plus an exponential service; its tail is closed-form
 * and percentiles are found by bisection on it.
 */

export interface QueueParams {
  /** arrival rate, 1/s */
  lambda: number;
  /** service rate of one server, 1/s */
  mu: number;
  /** servers (c) */
  servers: number;
}

export interface QueueTheory {
  stable: boolean;
  /** utilisation per server, 0..1 (>= 1: unstable) */
  rho: number;
  /** probability an arrival waits (Erlang C); 1 when unstable */
  p_wait: number;
  /** mean time in the system, s (Infinity when unstable) */
  mean_response_s: number;
  mean_wait_s: number;
  /** 95th percentile of the time in the system, s */
  p95_response_s: number;
  /** mean number waiting (Lq) and in the system (L) */
  mean_queue_length: number;
  mean_in_system: number;
}

function validate({ lambda, mu, servers }: QueueParams): void {
  if (!(lambda > 0) || !(mu > 0) || !Number.isInteger(servers) || servers < 1) {
    throw new RangeError(`need lambda > 0, mu > 0 and an integer servers >= 1 (got lambda=${lambda}, mu=${mu}, servers=${servers})`);
  }
}

/** Erlang C probability of waiting, computed with the stable recursion on Erlang B. */
export function erlangC(servers: number, offered: number): number {
  const rho = offered / servers;
  if (rho >= 1) return 1;
  let b = 1; // Erlang B with 0 servers
  for (let k = 1; k <= servers; k++) b = (offered * b) / (k + offered * b);
  return b / (1 - rho * (1 - b));
}

/** P(time in system > t) for M/M/c (stable). */
export function responseTail(params: QueueParams, t: number): number {
  const { lambda, mu, servers } = params;
  const c = erlangC(servers, lambda / mu);
  const theta = servers * mu - lambda;
  const service = Math.exp(-mu * t);
  // P(X + S > t), X ~ Exp(theta), S ~ Exp(mu): hypoexponential tail (Erlang-2 when theta = mu)
  const both = Math.abs(theta - mu) < 1e-12 * mu ? (1 + mu * t) * Math.exp(-mu * t) : (mu * Math.exp(-theta * t) - theta * Math.exp(-mu * t)) / (mu - theta);
  return (1 - c) * service + c * both;
}

/** The p-quantile (0 < p < 1) of the time in system, seconds. */
export function responsePercentile(params: QueueParams, p: number): number {
  validate(params);
  if (params.servers === 1) return -Math.log(1 - p) / (params.mu - params.lambda);
  let lo = 0;
  let hi = 1 / params.mu;
  while (responseTail(params, hi) > 1 - p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (responseTail(params, mid) > 1 - p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export function queueTheory(params: QueueParams): QueueTheory {
  validate(params);
  const { lambda, mu, servers } = params;
  const rho = lambda / (servers * mu);
  if (rho >= 1) {
    return { stable: false, rho, p_wait: 1, mean_response_s: Infinity, mean_wait_s: Infinity, p95_response_s: Infinity, mean_queue_length: Infinity, mean_in_system: Infinity };
  }
  const p_wait = erlangC(servers, lambda / mu);
  const mean_wait_s = p_wait / (servers * mu - lambda);
  const mean_response_s = mean_wait_s + 1 / mu;
  return {
    stable: true,
    rho,
    p_wait,
    mean_response_s,
    mean_wait_s,
    p95_response_s: responsePercentile(params, 0.95),
    mean_queue_length: lambda * mean_wait_s,
    mean_in_system: lambda * mean_response_s,
  };
}
