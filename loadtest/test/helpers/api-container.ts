/**
 * The real API in its container for the engine tests: on a network the test creates (labelled
 * with its owner, so the runner's target guard accepts `http://api:8000` there), published on
 * loopback so the test can read /metrics. Clean-up by label is registered next to setup.
 * `startMlflowServe` does the same for `mlflow models serve` (rightsize-mlflow-serve), which has
 * no /metrics: its requests are counted from uvicorn's access log; `startFastapi` likewise for
 * the workshop FastAPI server (rightsize-fastapi).
 */
import type { TestContext } from 'node:test';
import { createDocker, type Docker } from '@rightsize/compose/docker';
import { createOwner, ownerLabels, registerCleanup } from '@rightsize/compose/testing';

export const API_IMAGE = 'rightsize-api:latest';
export const K6_IMAGE = 'grafana/k6:1.8.1';
export const LOCUST_IMAGE = 'locustio/locust:2.47.0';
export const PACER_IMAGE = 'node:24-bookworm-slim';
export const MLFLOW_SERVE_IMAGE = 'rightsize-mlflow-serve:latest';
export const FASTAPI_IMAGE = 'rightsize-fastapi:latest';

export interface ApiUnderTest {
  docker: Docker;
  owner: string;
  network: string;
  /** the API as a generator on the network sees it */
  serviceUrl: string;
  /** the API as the host sees it (loopback) */
  hostUrl: string;
  /** POST requests to the route under test (/predict unless told) the server has counted so far */
  predictCount(): Promise<number>;
}

/** Our API; `route`: the route predictCount() counts (default /predict). */
export async function startApi(t: TestContext, prefix: string, opts: { route?: string } = {}): Promise<ApiUnderTest> {
  const route = opts.route ?? '/predict';
  return startServer(t, prefix, API_IMAGE, (_docker, _id, hostUrl) => routeCount(hostUrl, route));
}

/** `mlflow models serve` on the same model; predictCount() counts POST /invocations in its access log. */
export async function startMlflowServe(t: TestContext, prefix: string): Promise<ApiUnderTest> {
  return startServer(t, prefix, MLFLOW_SERVE_IMAGE, (docker, id) => accessLogCount(docker, id, '/invocations'));
}

/** The workshop FastAPI server on the same model; predictCount() counts POST /predict in uvicorn's access log. */
export async function startFastapi(t: TestContext, prefix: string): Promise<ApiUnderTest> {
  return startServer(t, prefix, FASTAPI_IMAGE, (docker, id) => accessLogCount(docker, id, '/predict'));
}

async function accessLogCount(docker: Docker, id: string, route: string): Promise<number> {
  const { stdout, stderr } = await docker.logs(id);
  return `${stdout}\n${stderr}`.split('\n').filter((l) => l.includes(`"POST ${route} HTTP/1.1" `)).length;
}

type Counter = (docker: Docker, id: string, hostUrl: string) => Promise<number>;

async function startServer(t: TestContext, prefix: string, image: string, count: Counter): Promise<ApiUnderTest> {
  const docker = createDocker();
  const owner = createOwner(prefix);
  registerCleanup(t, owner, { docker });
  const network = owner;
  await docker.networkCreate({ name: network, labels: ownerLabels(owner) });
  const id = await docker.run({
    image,
    name: `${owner}-api`,
    labels: ownerLabels(owner),
    network,
    networkAliases: ['api'],
    publish: [{ container: 8000 }],
    // the API on core 0, apart from the generators' default pinning (core 1)
    extraArgs: ['--cpuset-cpus', '0'],
  });
  await docker.waitHealthy(id, { timeoutMs: 60_000 });
  const hostUrl = `http://127.0.0.1:${await docker.hostPort(id, 8000)}`;
  return { docker, owner, network, serviceUrl: 'http://api:8000', hostUrl, predictCount: () => count(docker, id, hostUrl) };
}

/** Sum of http_requests_total{route="<route>"} over methods and status codes. */
async function routeCount(baseUrl: string, route = '/predict'): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^http_requests_total\{([^}]*)\}\s+([\d.e+]+)/.exec(line);
    if (m && m[1]!.includes(`route="${route}"`)) sum += Number(m[2]);
  }
  return sum;
}
