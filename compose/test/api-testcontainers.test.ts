// Docker tier: the API image driven by testcontainers-node (what users' own integration tests
// would use): started with 0.5 CPU and 256 MB, waited for through the image's HEALTHCHECK, and
// answering like the golden outputs. Ryuk (testcontainers' reaper) cannot be pulled without a
// registry, so it must be disabled and the test stops its container itself.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GenericContainer, Wait } from 'testcontainers';
import { getComposeEnv } from '../src/config.js';
import { createOwner, ownerLabels, registerCleanup, requireDocker } from '../src/testing.js';
import { goldenMismatches, predict, readGolden, type Prediction } from './helpers/golden.js';
import { API_IMAGE } from './helpers/image-names.js';

describe('rightsize-api under testcontainers', () => {
  it('starts with limits, turns healthy and predicts like the golden outputs', { timeout: 120_000 }, async (t) => {
    if (!(await requireDocker(t, { images: [API_IMAGE] }))) return;
    const env = getComposeEnv();
    if (!env.TESTCONTAINERS_RYUK_DISABLED) {
      const why = 'set TESTCONTAINERS_RYUK_DISABLED=true: Ryuk\'s image cannot be pulled without a registry';
      if (env.CI || env.RIGHTSIZE_REQUIRE_DOCKER) assert.fail(why);
      t.skip(why);
      return;
    }
    const owner = createOwner('api-tc');
    registerCleanup(t, owner);
    const container = await new GenericContainer(API_IMAGE)
      .withLabels(ownerLabels(owner))
      .withResourcesQuota({ cpu: 0.5, memory: 0.25 })
      .withTmpFs({ '/tmp': 'rw' })
      .withExposedPorts(8000)
      .withWaitStrategy(Wait.forHealthCheck())
      .withStartupTimeout(60_000)
      .withPullPolicy({ shouldPull: () => false })
      .start();
    // registerCleanup (registered first, so it runs first) may already have removed it.
    t.after(() => container.stop().then(() => undefined, () => undefined));
    const url = `http://${container.getHost()}:${container.getMappedPort(8000)}`;
    const golden = readGolden();
    const res = await predict(url, golden.rows.slice(0, 20));
    assert.equal(res.status, 200);
    const slice = { ...golden, labels: golden.labels.slice(0, 20), probabilities: golden.probabilities.slice(0, 20) };
    assert.deepEqual(goldenMismatches(slice, (res.json as { predictions: Prediction[] }).predictions), []);
  });
});
