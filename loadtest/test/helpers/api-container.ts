/**
 * The real API in its container for the engine tests: on a network the test creates (labelled
 * with its owner, so the runner's target guard accepts `http://api:8000` there), published on
 * loopback so the test can read /metrics. Clean-up by label is registered next to setup.
 */
import type { TestContext } from 'node:test';
import { createDocker, type Docker } from '@rightsize/compose/docker';
import { createOwner, ownerLabels, registerCleanup } from '@rightsize/compose/testing';

export const API_IMAGE = 'rightsize-api:latest';
export const K6_IMAGE = 'grafana/k6:1.8.1';
export const LOCUST_IMAGE = 'locustio/locust:2.47.0';

export interface ApiUnderTest {
  docker: Docker;
  owner: string;
  network: string;
  /** the API as a generator on the network sees it */
  serviceUrl: string;
  /** the API as the host sees it (loopback) */
  hostUrl: string;
  /** POST /predict requests the API has counted so far, from its /metrics */
  predictCount(): Promise<number>;
}

export async function startApi(t: TestContext, prefix: string): Promise<ApiUnderTest> {
  const docker = createDocker();
  const owner = createOwner(prefix);
  registerCleanup(t, owner, { docker });
  const network = owner;
  await docker.networkCreate({ name: network, labels: ownerLabels(owner) });
  const id = await docker.run({
    image: API_IMAGE,
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
  return { docker, owner, network, serviceUrl: 'http://api:8000', hostUrl, predictCount: () => predictCount(hostUrl) };
}

/** Sum of http_requests_total{route="/predict"} over methods and status codes. */
export async function predictCount(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^http_requests_total\{([^}]*)\}\s+([\d.e+]+)/.exec(line);
    if (m && /route="\/predict"/.test(m[1]!)) sum += Number(m[2]);
  }
  return sum;
}
