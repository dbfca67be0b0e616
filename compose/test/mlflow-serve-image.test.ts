// Docker tier: rightsize-mlflow-serve (`mlflow models serve` on the committed model, the baseline
// a sweep compares the API with) as a sweep runs it — read-only root with a tmpfs /tmp, memory
// limited — gets healthy on MLflow's /health, answers /invocations like our API does for the
// golden rows, and carries what an image should (non-root, HEALTHCHECK, ONNX Runtime threads
// pinned) and stops promptly on SIGTERM.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDocker } from '../src/docker.js';
import { createOwner, ownerLabels, registerCleanup, requireDocker } from '../src/testing.js';
import { goldenMismatches, readGolden, type Prediction } from './helpers/golden.js';
import { API_IMAGE, MLFLOW_SERVE_IMAGE } from './helpers/image-names.js';

const docker = createDocker();

/** MLflow's record for one row: {label, probability_<class>: p} */
type MlflowRecord = Record<string, number | string>;

async function invocations(baseUrl: string, rows: Record<string, number>[]): Promise<MlflowRecord[]> {
  const res = await fetch(`${baseUrl}/invocations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ dataframe_records: rows }),
    signal: AbortSignal.timeout(30_000),
  });
  assert.equal(res.status, 200, `${baseUrl}/invocations answered ${res.status}`);
  return ((await res.json()) as { predictions: MlflowRecord[] }).predictions;
}

const asPrediction = (classes: string[]) => (r: MlflowRecord): Prediction => ({
  label: String(r.label),
  probabilities: Object.fromEntries(classes.map((c) => [c, Number(r[`probability_${c}`])])),
});

describe('rightsize-mlflow-serve image', () => {
  it('read-only with a tmpfs /tmp and 384m: healthy, /invocations equal to our API for the golden rows', { timeout: 150_000 }, async (t) => {
    if (!(await requireDocker(t, { images: [MLFLOW_SERVE_IMAGE, API_IMAGE] }))) return;
    const owner = createOwner('mlflow-serve');
    registerCleanup(t, owner);
    const common = { labels: ownerLabels(owner), readOnly: true, tmpfs: ['/tmp'], publish: [{ container: 8000 }] };
    const [mlflow, api] = await Promise.all([
      docker.run({ ...common, image: MLFLOW_SERVE_IMAGE, cpus: 1, memory: '384m' }),
      docker.run({ ...common, image: API_IMAGE, cpus: 0.5, memory: '256m' }),
    ]);
    await Promise.all([docker.waitHealthy(mlflow, { timeoutMs: 90_000 }), docker.waitHealthy(api, { timeoutMs: 60_000 })]);
    const mlflowUrl = `http://127.0.0.1:${await docker.hostPort(mlflow, 8000)}`;
    const apiUrl = `http://127.0.0.1:${await docker.hostPort(api, 8000)}`;
    const golden = readGolden();
    const toPrediction = asPrediction(golden.classes);

    const theirs = (await invocations(mlflowUrl, golden.rows)).map(toPrediction);
    const ours = (await invocations(apiUrl, golden.rows)).map(toPrediction);
    assert.equal(theirs.length, golden.rows.length);
    assert.deepEqual(goldenMismatches(golden, theirs), [], 'mlflow models serve against the golden outputs');
    // ours against theirs: labels equal, probabilities within 1e-5
    const asGolden = { ...golden, labels: theirs.map((p) => p.label), probabilities: theirs.map((p) => golden.classes.map((c) => p.probabilities[c]!)) };
    assert.deepEqual(goldenMismatches(asGolden, ours), [], 'our /invocations against mlflow models serve');
    // one row per request, as the load sends it
    const one = (await invocations(mlflowUrl, [golden.rows[0]!])).map(toPrediction);
    assert.deepEqual(goldenMismatches({ ...golden, labels: [golden.labels[0]!], probabilities: [golden.probabilities[0]!] }, one), []);

    assert.equal(await (await fetch(`${mlflowUrl}/version`)).text(), '3.17.2');
    const inspect = await docker.inspect(mlflow);
    assert.equal((inspect.HostConfig as { ReadonlyRootfs?: boolean }).ReadonlyRootfs, true);
    assert.equal(inspect.HostConfig.Memory, 384 * 2 ** 20);
    assert.equal((await docker.execIn(mlflow, ['id', '-u'])).stdout.trim(), '1000');

    // PID 1 forwards SIGTERM: docker stop returns long before its 10 s grace period
    const t0 = Date.now();
    await docker.stop(mlflow, 10);
    assert.ok(Date.now() - t0 < 5_000, `docker stop took ${Date.now() - t0} ms`);
  });

  it('is non-root, health-checked on /health, telemetry-free, ONNX Runtime threads pinned', async (t) => {
    if (!(await requireDocker(t, { images: [MLFLOW_SERVE_IMAGE] }))) return;
    const image = (await docker.imageInspect(MLFLOW_SERVE_IMAGE))!;
    const config = image.Config as { User?: string; Env?: string[]; Healthcheck?: { Test?: string[] }; Labels?: Record<string, string> };
    assert.equal(config.User, '1000:1000');
    assert.ok(config.Healthcheck?.Test?.join(' ').includes('GET /health '), 'HEALTHCHECK on /health');
    for (const env of ['ORT_DISABLE_TELEMETRY=1', 'MLFLOW_DISABLE_TELEMETRY=true', 'HOME=/tmp', 'MLFLOW_SERVE_WORKERS=1']) assert.ok(config.Env?.includes(env), env);
    for (const key of ['version', 'revision', 'source']) assert.ok(config.Labels?.[`org.opencontainers.image.${key}`], `label org.opencontainers.image.${key}`);
    const owner = createOwner('mlflow-serve-files');
    registerCleanup(t, owner);
    const id = await docker.run({ image: MLFLOW_SERVE_IMAGE, labels: ownerLabels(owner), entrypoint: 'bash', command: ['-c', 'grep onnx_session_options /model/MLmodel; sleep 30'] });
    let out = '';
    for (let i = 0; i < 40 && !out.includes('onnx_session_options'); i++) {
      out = (await docker.logs(id)).stdout;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.match(out, /intra_op_num_threads: 1, inter_op_num_threads: 1/);
  });
});
