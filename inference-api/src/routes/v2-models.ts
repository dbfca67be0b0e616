// Open Inference Protocol (KServe V2) over REST: server metadata, model metadata and readiness,
// and inference with named tensors. Inputs are either the graph's own inputs (e.g. `input`
// FP32 [N, 30]) or, for column-based signatures, one [N] tensor per column. The binary tensor data
// extension (Triton's, used by tritonclient) is supported both ways: see src/v2/.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { ApiError, type FieldIssue } from '../errors.js';
import type { EncodedBatch } from '../model/input-mapping.js';
import { encodeTensors, flattenNested } from '../model/tensor-input.js';
import { validationError } from '../validation.js';
import { attachBinaryInputs, HEADER_LENGTH, oipDatatype } from '../v2/binary-data.js';
import { binaryTail, registerInferBodyParsers } from '../v2/infer-body.js';
import { renderInferAnswer, type WantedOutput } from '../v2/infer-response.js';
import { WITH_BODY } from '../error-responses.js';
import { InferOkResponse, InferRequestSchema, KserveErrorSchema, kserveErrorResponses, ModelMetadataSchema, ModelReadySchema, ServerMetadataSchema, type InferRequest } from '../v2/schemas.js';

export const V2_EXTENSIONS = ['binary_tensor_data'];

export async function v2Routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // An encapsulated context: its body parsers (octet-stream, binary framing) serve /v2 only.
  await app.register(async (scope) => v2Scope(scope, ctx));
}

async function v2Scope(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { model, inference, admission } = ctx;
  registerInferBodyParsers(app);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['open inference protocol'];
  const version = model.version ?? undefined;
  const outputNames = model.graph.outputs.map((o) => o.name);
  const metadata = {
    name: model.name,
    versions: model.version ? [model.version] : [],
    platform: 'onnxruntime_onnx',
    inputs: model.inputs.slots.map((s) => ({ name: s.name, datatype: oipDatatype(s.type), shape: [-1, ...s.rowShape] })),
    outputs: model.graph.outputs.map((o) => ({ name: o.name, datatype: oipDatatype(o.type), shape: (o.shape ?? []).map((d) => (typeof d === 'number' ? d : -1)) })),
  };
  const checkModel = (params: { name: string; version?: string | undefined }) => {
    if (params.name !== model.name || (params.version !== undefined && params.version !== model.version)) {
      const which = params.version ? `${params.name} version ${params.version}` : params.name;
      throw new ApiError('PREDICT_ERR_MODEL_NOT_FOUND', { message: `model ${which} is not served here; this server serves ${model.name}${version ? ` version ${version}` : ''}` });
    }
  };
  const config404 = { errorFormat: 'kserve' as const };
  const notReady = {
    description: '{ready: false} before the model is warmed up and while draining; the error body once close() has begun',
    content: { 'application/json': { schema: z.union([ModelReadySchema, KserveErrorSchema]) } },
  };

  r.get('/v2', { config: config404, schema: { tags, summary: 'Server metadata', response: { 200: ServerMetadataSchema, ...kserveErrorResponses([]) } } }, async () => ({ name: 'rightsize', version: '0.1.0', extensions: V2_EXTENSIONS }));
  for (const suffix of ['', '/versions/:version']) {
    // Each path declares only its own parameters (OpenAPI lists every property as a path parameter).
    const Params = suffix ? z.object({ name: z.string(), version: z.string() }) : z.object({ name: z.string() });
    r.get(`/v2/models/:name${suffix}`, { config: config404, schema: { tags, summary: 'Model metadata', params: Params, response: { 200: ModelMetadataSchema, ...kserveErrorResponses([404]) } } }, async (request) => {
      checkModel(request.params);
      return metadata;
    });
    r.get(`/v2/models/:name${suffix}/ready`, { config: config404, schema: { tags, summary: 'Model readiness', params: Params, response: { 200: ModelReadySchema, ...kserveErrorResponses([404]), 503: notReady } } }, async (request, reply) => {
      checkModel(request.params);
      if (!ctx.state.ready) reply.code(503);
      return { name: model.name, ready: ctx.state.ready };
    });
    r.post(`/v2/models/:name${suffix}/infer`, {
      config: { admission: true, errorFormat: 'kserve' },
      onRequest: admission.onRequest,
      schema: {
        tags,
        summary: 'Inference with named tensors',
        description: `JSON, or the binary tensor data extension (request and response header ${HEADER_LENGTH}).`,
        params: Params,
        body: InferRequestSchema,
        response: { 200: InferOkResponse, ...kserveErrorResponses([...WITH_BODY, 404]) },
      },
      async handler(request, reply) {
        checkModel(request.params);
        const body = request.body;
        const wanted = wantedOutputs(body, outputNames);
        const inputs = attachBinaryInputs(body.inputs, binaryTail(request));
        const slice = await inference.infer(encodeRequest(ctx, inputs));
        const head = { model_name: model.name, ...(version ? { model_version: version } : {}), id: body.id ?? String(request.id) };
        const answer = renderInferAnswer({ head, outputs: slice.outputs, offset: slice.offset, n: slice.n, wanted });
        if (answer.kind === 'json') return answer.body;
        // Raw bytes: Fastify sends a Buffer as is (the response schema describes the JSON header).
        const untyped = reply as unknown as FastifyReply;
        return untyped.header(HEADER_LENGTH, String(answer.headerLength)).type('application/octet-stream').send(answer.body);
      },
    });
  }
}

function kserveInvalid(fields: FieldIssue[]): ApiError {
  return new ApiError('PREDICT_ERR_VALIDATION', { message: fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields });
}

/** Which outputs to answer and how: per-output `binary_data`, else the request's `binary_data_output`. */
function wantedOutputs(body: InferRequest, outputNames: readonly string[]): WantedOutput[] {
  const binaryDefault = body.parameters?.binary_data_output === true;
  const requested = body.outputs ?? outputNames.map((name) => ({ name, parameters: undefined }));
  const fields: FieldIssue[] = [];
  for (const o of requested) {
    if (!outputNames.includes(o.name)) fields.push({ field: o.name, message: `is not an output of the model; its outputs are ${outputNames.join(', ')}` });
    for (const key of Object.keys(o.parameters ?? {})) {
      if (key === 'classification' || key.startsWith('shared_memory_')) fields.push({ field: `${o.name}.parameters.${key}`, message: 'is not supported by this server' });
    }
  }
  for (const i of body.inputs) {
    for (const key of Object.keys(i.parameters ?? {})) {
      if (key.startsWith('shared_memory_')) fields.push({ field: `${i.name}.parameters.${key}`, message: 'is not supported by this server' });
    }
  }
  if (fields.length) throw kserveInvalid(fields);
  return requested.map((o) => ({ name: o.name, binary: o.parameters?.binary_data ?? binaryDefault }));
}

function encodeRequest(ctx: AppContext, inputs: readonly { name: string; shape: number[]; data: unknown[] }[]): EncodedBatch {
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
