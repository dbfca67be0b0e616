// Open Inference Protocol (KServe V2) over REST: server metadata, model metadata and readiness,
// and inference with named tensors. Inputs are either the graph's own inputs (e.g. `input`
// FP32 [N, 30]) or, for column-based signatures, one [N] tensor per column.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { ApiError, type FieldIssue } from '../errors.js';
import type { EncodedBatch } from '../model/input-plan.js';
import type { OutputTensor } from '../model/output-plan.js';
import { encodeTensors, flattenNested } from '../model/tensor-input.js';
import { validationError } from '../validation.js';

const DATATYPES: Record<string, string> = {
  float32: 'FP32',
  float64: 'FP64',
  float16: 'FP16',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  bool: 'BOOL',
  string: 'BYTES',
};

const TensorMetaSchema = z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.number()) });
const ModelMetadataSchema = z.object({
  name: z.string(),
  versions: z.array(z.string()),
  platform: z.string(),
  inputs: z.array(TensorMetaSchema),
  outputs: z.array(TensorMetaSchema),
});
const InferRequestSchema = z.object({
  id: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  inputs: z
    .array(
      z.object({
        name: z.string(),
        shape: z.array(z.int().min(0)),
        datatype: z.string(),
        parameters: z.record(z.string(), z.unknown()).optional(),
        data: z.array(z.unknown()),
      }),
    )
    .min(1),
  outputs: z.array(z.object({ name: z.string(), parameters: z.record(z.string(), z.unknown()).optional() })).optional(),
});
const InferResponseSchema = z.object({
  model_name: z.string(),
  model_version: z.string().optional(),
  id: z.string(),
  outputs: z.array(z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.number()), data: z.array(z.unknown()) })),
});
const KserveErrorSchema = z.object({ error: z.string(), code: z.string().optional(), fields: z.array(z.unknown()).optional() });

export async function v2Routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { model, inference, admission } = ctx;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['open inference protocol'];
  const version = model.version ?? undefined;
  const metadata = {
    name: model.name,
    versions: model.version ? [model.version] : [],
    platform: 'onnxruntime_onnx',
    inputs: model.inputs.slots.map((s) => ({ name: s.name, datatype: DATATYPES[s.type] ?? s.type, shape: [-1, ...s.rowShape] })),
    outputs: model.graph.outputs.map((o) => ({ name: o.name, datatype: DATATYPES[o.type ?? ''] ?? String(o.type), shape: (o.shape ?? []).map((d) => (typeof d === 'number' ? d : -1)) })),
  };
  const checkModel = (params: { name: string; version?: string }) => {
    if (params.name !== model.name || (params.version !== undefined && params.version !== model.version)) {
      const which = params.version ? `${params.name} version ${params.version}` : params.name;
      throw new ApiError('PREDICT_ERR_MODEL_NOT_FOUND', { message: `model ${which} is not served here; this server serves ${model.name}${version ? ` version ${version}` : ''}` });
    }
  };
  const config404 = { errorFormat: 'kserve' as const };

  r.get('/v2', { config: config404, schema: { tags, summary: 'Server metadata' } }, async () => ({ name: 'rightsize', version: '0.1.0', extensions: [] }));
  for (const suffix of ['', '/versions/:version']) {
    const Params = z.object({ name: z.string(), version: z.string().optional() });
    r.get(`/v2/models/:name${suffix}`, { config: config404, schema: { tags, summary: 'Model metadata', params: Params, response: { 200: ModelMetadataSchema, 404: KserveErrorSchema } } }, async (request) => {
      checkModel(request.params);
      return metadata;
    });
    r.get(`/v2/models/:name${suffix}/ready`, { config: config404, schema: { tags, summary: 'Model readiness', params: Params } }, async (request, reply) => {
      checkModel(request.params);
      if (!ctx.state.ready) reply.code(503);
      return { name: model.name, ready: ctx.state.ready };
    });
    r.post(`/v2/models/:name${suffix}/infer`, {
      config: { admission: true, errorFormat: 'kserve' },
      onRequest: admission.onRequest,
      schema: { tags, summary: 'Inference with named tensors', params: Params, body: InferRequestSchema, response: { 200: InferResponseSchema, 400: KserveErrorSchema, 404: KserveErrorSchema } },
      async handler(request) {
        checkModel(request.params);
        const body = request.body;
        const batch = encodeRequest(ctx, body.inputs);
        const slice = await inference.infer(batch);
        const wanted = body.outputs?.map((o) => o.name) ?? model.graph.outputs.map((o) => o.name);
        const unknown = wanted.filter((w) => !(w in slice.outputs));
        if (unknown.length) throw kserveInvalid(unknown.map((u) => ({ field: u, message: 'is not an output of the model' })));
        return {
          model_name: model.name,
          ...(version ? { model_version: version } : {}),
          id: body.id ?? String(request.id),
          outputs: wanted.map((name) => outputTensor(name, slice.outputs[name]!, slice.offset, slice.n)),
        };
      },
    });
  }
}

function kserveInvalid(fields: FieldIssue[]): ApiError {
  return new ApiError('PREDICT_ERR_VALIDATION', { message: fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields });
}

function encodeRequest(ctx: AppContext, inputs: z.infer<typeof InferRequestSchema>['inputs']): EncodedBatch {
  const { model, config } = ctx;
  const names = new Set(inputs.map((i) => i.name));
  const graphNames = model.inputs.slots.map((s) => s.name);
  const byColumn = model.inputs.layout !== 'tensors' && !graphNames.every((n) => names.has(n));
  if (!byColumn) {
    const result = encodeTensors(model.inputs, inputs.map((i) => ({ name: i.name, data: i.data, shape: i.shape })), config.limits.maxRows);
    if (!result.ok) throw kserveInvalid(result.fields);
    return result.batch;
  }
  // One [N] (or [N, 1]) tensor per signature column -> rows -> the same validation as /predict.
  const columns = new Map(inputs.map((i) => [i.name, flattenNested(i.data)?.flat ?? []]));
  const counts = new Set([...columns.values()].map((v) => v.length));
  if (counts.size > 1) throw kserveInvalid(inputs.map((i) => ({ field: i.name, message: `has ${columns.get(i.name)!.length} values; all columns need the same count` })));
  const n = counts.values().next().value ?? 0;
  if (n === 0 || n > config.limits.maxRows) throw kserveInvalid([{ field: inputs[0]!.name, message: `holds ${n} rows; send 1..${config.limits.maxRows}` }]);
  const rows = Array.from({ length: n }, (_, i) => Object.fromEntries([...columns].map(([name, values]) => [name, values[i]])));
  const schema = z.array(model.inputs.rowSchema);
  const parsed = schema.safeParse(rows);
  if (!parsed.success) {
    const err = validationError(parsed.error.issues, rows);
    throw kserveInvalid(err.fields ?? [{ field: '(request)', message: err.message }]);
  }
  const batch = model.inputs.allocate(n);
  rows.forEach((row, i) => model.inputs.write(batch, i, row));
  return batch;
}

function outputTensor(name: string, t: OutputTensor, offset: number, n: number) {
  const inner = t.dims.slice(1);
  const width = inner.reduce((a, b) => a * b, 1);
  const data = Array.from({ length: n * width }, (_, j) => {
    const v = t.data[offset * width + j];
    return typeof v === 'bigint' ? Number(v) : v;
  });
  return { name, datatype: DATATYPES[t.type] ?? t.type, shape: [n, ...inner], data };
}
