// Docker tier: the built rightsize-api image as users run it — limited to 0.5 CPU and 256 MB,
// read-only root filesystem — must get healthy, answer /predict exactly like the committed
// golden outputs, expose /metrics, and carry what an image should (non-root user, OCI labels,
// HEALTHCHECK, size) and nothing it should not (the build host's CA bundle).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { describe, it } from 'node:test';
import { createDocker } from '../src/docker.js';
import { getComposeEnv } from '../src/config.js';
import { createOwner, imageTarContains, ownerLabels, registerCleanup, requireDocker } from '../src/testing.js';
import { goldenMismatches, predict, readGolden, type Prediction } from './helpers/golden.js';
import { API_IMAGE } from './helpers/image-names.js';

const docker = createDocker();

describe('rightsize-api image', () => {
  it('under --cpus 0.5 --memory 256m with a read-only root: healthy, golden parity, /metrics up', { timeout: 120_000 }, async (t) => {
    if (!(await requireDocker(t, { images: [API_IMAGE] }))) return;
    const owner = createOwner('api-image');
    registerCleanup(t, owner);
    const id = await docker.run({ image: API_IMAGE, labels: ownerLabels(owner), cpus: 0.5, memory: '256m', readOnly: true, tmpfs: ['/tmp'], publish: [{ container: 8000 }] });
    await docker.waitHealthy(id, { timeoutMs: 60_000 });
    const url = `http://127.0.0.1:${await docker.hostPort(id, 8000)}`;
    const golden = readGolden();

    const batch = await predict(url, golden.rows);
    assert.equal(batch.status, 200);
    const predictions = (batch.json as { predictions: Prediction[] }).predictions;
    assert.equal(predictions.length, golden.rows.length);
    assert.deepEqual(goldenMismatches(golden, predictions), []);
    for (const i of [0, 1, golden.rows.length - 1]) {
      const one = await predict(url, golden.rows[i]);
      assert.equal(one.status, 200);
      assert.deepEqual(goldenMismatches({ ...golden, labels: [golden.labels[i]!], probabilities: [golden.probabilities[i]!] }, [one.json as Prediction]), []);
    }
    const bad = await predict(url, { 'mean radius': 'wide' });
    assert.equal(bad.status, 400);

    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /^http_requests_total\{[^}]*route="\/predict"[^}]*status_code="200"[^}]*\} [1-9]/m);

    const inspect = await docker.inspect(id);
    assert.equal(inspect.HostConfig.NanoCpus, 0.5e9);
    assert.equal(inspect.HostConfig.Memory, 256 * 2 ** 20);
    assert.equal((inspect.HostConfig as { ReadonlyRootfs?: boolean }).ReadonlyRootfs, true);
    const who = await docker.execIn(id, ['id', '-u']);
    assert.equal(who.stdout.trim(), '1000');
  });

  it('is non-root, labelled, health-checked, telemetry-free, pruned and under 250 MB', async (t) => {
    if (!(await requireDocker(t, { images: [API_IMAGE] }))) return;
    const image = (await docker.imageInspect(API_IMAGE))!;
    const config = image.Config as { User?: string; Env?: string[]; Labels?: Record<string, string>; Healthcheck?: { Test?: string[] }; Entrypoint?: string[] };
    assert.equal(config.User, '1000:1000');
    assert.ok(config.Env?.includes('ORT_DISABLE_TELEMETRY=1'), 'ONNX Runtime telemetry is off');
    assert.ok(config.Healthcheck?.Test?.join(' ').includes('/health/ready'));
    for (const key of ['version', 'revision', 'source']) assert.ok(config.Labels?.[`org.opencontainers.image.${key}`], `label org.opencontainers.image.${key}`);
    assert.ok(image.Size < 250e6, `image is ${(image.Size / 1e6).toFixed(1)} MB`);
    // Only this platform's ONNX Runtime binaries are left; no npm in the runtime.
    const owner = createOwner('api-files');
    registerCleanup(t, owner);
    const id = await docker.run({
      image: API_IMAGE,
      labels: ownerLabels(owner),
      entrypoint: 'bash',
      command: ['-c', 'ls node_modules/onnxruntime-node/bin/napi-v6/; ls node_modules/onnxruntime-node/bin/napi-v6/linux; command -v npm || echo no-npm; sleep 30'],
    });
    let out = '';
    for (let i = 0; i < 40 && !out.includes('npm'); i++) {
      out = (await docker.logs(id)).stdout;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.deepEqual(out.trim().split('\n'), ['linux', 'x64', 'no-npm']);
  });

  it("carries none of the build host's own CA certificates in any layer", { timeout: 120_000 }, async (t) => {
    if (!(await requireDocker(t, { images: [API_IMAGE] }))) return;
    const bundle = getComposeEnv().RIGHTSIZE_CA_BUNDLE ?? '/etc/ssl/certs/ca-certificates.crt';
    const pem = await readFile(bundle, 'utf8').catch(() => '');
    // Certificates Node ships itself are legitimately inside the node binary; the ones only the
    // host trusts (a TLS-intercepting proxy's CA) must not be anywhere in the image.
    const known = new Set(rootCertificates.map(body));
    const hostOnly = (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(body).filter((b) => !known.has(b));
    if (hostOnly.length === 0) {
      t.diagnostic(`${bundle} has no certificate beyond Node's own roots: nothing host-specific to look for`);
      return;
    }
    // A 64-character line from the middle of each host-only certificate, searched in `docker save`.
    const needles = hostOnly.map((b) => b.slice(Math.floor(b.length / 2) - (Math.floor(b.length / 2) % 64)).slice(0, 64));
    const found = await imageTarContains(API_IMAGE, needles);
    assert.deepEqual(found, [], 'host-only CA certificate found in the image');
  });
});

function body(cert: string): string {
  return cert.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}
