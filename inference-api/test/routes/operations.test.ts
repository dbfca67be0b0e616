// /health, /model, /metrics, /docs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { App } from '../../src/app.js';
import { ModelInfoSchema } from '../../src/routes/model-info.js';
import { createTestApp, suiteScope } from '../helpers/app.js';
import { readGolden } from '../helpers/golden.js';

const golden = readGolden();

describe('operational endpoints', () => {
  const scope = suiteScope(after);
  let app: App;
  before(async () => {
    app = await createTestApp(scope);
  });

  it('reports live always and ready only while the app says so', async () => {
    assert.deepEqual((await app.inject('/health/live')).json(), { live: true });
    assert.equal((await app.inject('/health/ready')).statusCode, 200);
    app.ctx.state.ready = false;
    const notReady = await app.inject('/health/ready');
    app.ctx.state.ready = true;
    assert.equal(notReady.statusCode, 503);
    assert.deepEqual(notReady.json(), { ready: false });
  });
  it('describes the model: name, version, signature, ONNX metadata, checksum, threads', async () => {
    const res = await app.inject('/model');
    assert.equal(res.statusCode, 200);
    const info = ModelInfoSchema.parse(res.json());
    assert.equal(info.name, 'breast-cancer-gbt');
    assert.equal(info.version, '1');
    assert.equal(info.signature?.kind, 'columns');
    assert.equal(info.request.fields.length, 30);
    assert.equal(info.onnx.irVersion, 8);
    assert.match(info.checksum.onnx, /^[0-9a-f]{64}$/);
    assert.equal(info.runtime.intraOpThreads, 1);
    assert.ok(info.runtime.v8HeapSizeLimitBytes > 0);
  });
  it('exposes Prometheus metrics for requests, inference, batch size, in-flight, rejections, event loop and memory', async () => {
    await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(golden.rows[0]) });
    await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: '{}' });
    const res = await app.inject('/metrics');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/plain/);
    const text = res.body;
    assert.match(text, /^http_requests_total\{route="\/predict",method="POST",status_code="200"\} 1$/m);
    assert.match(text, /^http_requests_total\{route="\/predict",method="POST",status_code="400"\} 1$/m);
    assert.match(text, /^http_request_duration_seconds_bucket\{le="0.005",route="\/predict",method="POST",status_code="200"\} \d+$/m);
    for (const name of ['inference_duration_seconds_count', 'inference_batch_rows_count', 'inference_requests_in_flight', 'inference_requests_rejected_total', 'nodejs_eventloop_lag_p99_seconds', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'model_info', 'runtime_ort_intra_op_threads']) {
      assert.match(text, new RegExp(`^${name}`, 'm'), name);
    }
  });
  it('serves Swagger UI at /docs and an OpenAPI document generated from the zod schemas at /docs/json', async () => {
    const ui = await app.inject('/docs');
    assert.ok(ui.statusCode === 200 || ui.statusCode === 302);
    const doc = (await app.inject('/docs/json')).json();
    assert.match(doc.openapi, /^3\./);
    const predict = doc.paths['/predict'].post;
    const schema = JSON.stringify(predict.requestBody.content['application/json'].schema);
    assert.ok(golden.features.every((feature) => schema.includes(JSON.stringify(feature))), 'every feature is documented');
    assert.ok(doc.paths['/invocations'] && doc.paths['/v2/models/{name}/infer'] && doc.paths['/model']);
  });
});
