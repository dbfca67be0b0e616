// GET /model: what is being served and how: identity, signature, ONNX metadata, checksums,
// thread counts and limits.
import { getHeapStatistics } from 'node:v8';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { SignatureSchema } from '../model/mlmodel.js';
import { errorResponses } from '../error-responses.js';

const GraphValueSchema = z.object({
  name: z.string(),
  isTensor: z.boolean(),
  type: z.string().optional(),
  shape: z.array(z.union([z.number(), z.string()])).optional(),
});

export const ModelInfoSchema = z
  .object({
    name: z.string(),
    version: z.string().nullable(),
    uri: z.string().describe('MODEL_URI as resolved'),
    source: z.object({
      dir: z.string(),
      fromCache: z.boolean(),
      registry: z
        .object({ trackingUri: z.string(), name: z.string(), version: z.string(), alias: z.string().nullable(), runId: z.string().nullable(), artifactUri: z.string() })
        .nullable(),
      run: z.object({ trackingUri: z.string(), runId: z.string(), path: z.string(), artifactUri: z.string() }).nullable(),
    }),
    task: z.enum(['classification', 'regression', 'raw']),
    classes: z.array(z.string()).nullable(),
    signature: SignatureSchema.nullable(),
    request: z.object({
      layout: z.string(),
      maxRows: z.number(),
      fields: z.array(z.object({ name: z.string(), kind: z.string(), required: z.boolean(), shape: z.array(z.number()) })),
    }),
    onnx: z.object({
      file: z.string(),
      irVersion: z.number().nullable(),
      producerName: z.string().nullable(),
      producerVersion: z.string().nullable(),
      docString: z.string().nullable(),
      opsets: z.array(z.object({ domain: z.string(), version: z.number() })),
      metadataProps: z.record(z.string(), z.string()),
      inputs: z.array(GraphValueSchema),
      outputs: z.array(GraphValueSchema),
    }),
    checksum: z.object({
      algorithm: z.literal('sha256'),
      onnx: z.string().describe('sha256 of the ONNX file'),
      folder: z.string().describe('sha256 over sha256sum-style lines of every file in the model folder (covers external data)'),
      files: z.array(z.object({ path: z.string(), bytes: z.number(), sha256: z.string() })),
    }),
    mlflow: z.object({ mlflowVersion: z.string().nullable(), modelUuid: z.string().nullable(), runId: z.string().nullable(), createdAt: z.string().nullable() }),
    runtime: z.object({
      intraOpThreads: z.number(),
      interOpThreads: z.number(),
      cpus: z.number(),
      cgroup: z.string(),
      memoryLimitBytes: z.number().nullable(),
      heapLimitMb: z.number().nullable().describe('old-space limit applied by this server (null = V8 default)'),
      v8HeapSizeLimitBytes: z.number().describe("v8.getHeapStatistics().heap_size_limit in the serving thread"),
      maxInflight: z.number(),
      overload: z
        .object({ capacityPerS: z.number(), maxInflight: z.number(), listenBacklog: z.number(), maxConnections: z.number(), requestTimeoutMs: z.number(), auto: z.array(z.string()) })
        .describe('bounds on waiting, sized from the CPU limit and LATENCY_OBJECTIVE_MS where "auto"'),
      batching: z.object({ enabled: z.boolean(), maxRows: z.number(), maxWaitMs: z.number() }),
      node: z.string(),
    }),
    timings: z.object({ loadMs: z.number(), warmupMs: z.number(), warmupRuns: z.number() }),
  })
  .meta({ id: 'ModelInfo' });
export type ModelInfo = z.infer<typeof ModelInfoSchema>;

export function describeModel(ctx: AppContext): ModelInfo {
  const { model, sizing, config } = ctx;
  return {
    name: model.name,
    version: model.version,
    uri: model.source.uri,
    source: { dir: model.source.dir, fromCache: model.source.fromCache, registry: model.source.registry, run: model.source.run },
    task: model.outputs.task,
    classes: model.outputs.classes,
    signature: model.mlmodel.signature,
    request: {
      layout: model.inputs.layout,
      maxRows: config.limits.maxRows,
      fields: model.inputs.fields.map((f) => ({ name: f.name, kind: f.kind, required: f.required, shape: f.rowShape })),
    },
    onnx: {
      file: model.mlmodel.onnxFile,
      irVersion: model.onnx.irVersion,
      producerName: model.onnx.producerName,
      producerVersion: model.onnx.producerVersion,
      docString: model.onnx.docString,
      opsets: model.onnx.opsets,
      metadataProps: model.onnx.metadataProps,
      inputs: model.graph.inputs.map((g) => ({ ...g, shape: g.shape ? [...g.shape] : undefined })),
      outputs: model.graph.outputs.map((g) => ({ ...g, shape: g.shape ? [...g.shape] : undefined })),
    },
    checksum: { algorithm: 'sha256', onnx: model.digest.onnxSha256, folder: model.digest.folderSha256, files: model.digest.files },
    mlflow: {
      mlflowVersion: model.mlmodel.mlflowVersion,
      modelUuid: model.mlmodel.modelUuid,
      runId: model.mlmodel.runId,
      createdAt: model.mlmodel.createdAt,
    },
    runtime: {
      intraOpThreads: model.threads.intraOp,
      interOpThreads: model.threads.interOp,
      cpus: sizing.cpus,
      cgroup: sizing.cgroup.version,
      memoryLimitBytes: sizing.memoryLimitBytes,
      heapLimitMb: sizing.heapLimitMb,
      v8HeapSizeLimitBytes: getHeapStatistics().heap_size_limit,
      maxInflight: ctx.overload.maxInflight,
      overload: { ...ctx.overload },
      batching: { ...config.batching },
      node: process.version,
    },
    timings: { ...model.timings },
  };
}

export async function modelInfoRoute(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/model',
    { schema: { tags: ['model'], summary: 'The served model: identity, signature, ONNX metadata, checksums, runtime', response: { 200: ModelInfoSchema, ...errorResponses([]) } } },
    async () => describeModel(ctx),
  );
}
