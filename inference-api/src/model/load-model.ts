// Loads the model once: resolves MODEL_URI to a folder, reads MLmodel, creates the ONNX Runtime
// session with explicit thread counts, checks the graph against the signature, and warms it up.
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import ort from 'onnxruntime-node';
import type { Config } from '../config.js';
import { StartupError } from '../errors.js';
import type { Sizing } from '../limits.js';
import { createInputMapping, type EncodedBatch, type GraphValue, type InputMapping } from './input-mapping.js';
import { createMlflowClient } from './mlflow-client.js';
import { classLabelsOf, readMLmodel, type MLmodel } from './mlmodel.js';
import { resolveModelSource, type ModelSource } from './model-source.js';
import { parseModelUri } from './model-uri.js';
import { digestModelFolder, parseOnnxMeta, type ModelDigest, type OnnxMeta } from './onnx-meta.js';
import { createOutputMapping, type OutputMap, type OutputMapping } from './output-mapping.js';

export interface LoadedModel {
  name: string;
  version: string | null;
  source: ModelSource;
  mlmodel: MLmodel;
  onnx: OnnxMeta;
  digest: ModelDigest;
  graph: { inputs: GraphValue[]; outputs: GraphValue[] };
  inputs: InputMapping;
  outputs: OutputMapping;
  threads: { intraOp: number; interOp: number };
  timings: { loadMs: number; warmupMs: number; warmupRuns: number };
  run(batch: EncodedBatch): Promise<OutputMap>;
  close(): Promise<void>;
}

export interface LoadModelOptions {
  config: Pick<Config, 'model' | 'mlflow' | 'batching'>;
  sizing: Pick<Sizing, 'intraOpThreads' | 'interOpThreads'>;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
  cwd?: string;
}

export async function loadModel(options: LoadModelOptions): Promise<LoadedModel> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const { config } = options;
  const ref = parseModelUri(config.model.uri, options.cwd ?? process.cwd());
  const mlflow = config.mlflow.trackingUri
    ? createMlflowClient({ ...config.mlflow, trackingUri: config.mlflow.trackingUri, timeoutMs: config.model.downloadTimeoutMs })
    : null;
  const source = await resolveModelSource({ ref, mlflow, cacheDir: config.model.cacheDir, log });
  const mlmodel = await readMLmodel(source.dir);
  const { digest, onnxBytes } = await digestModelFolder(source.dir, mlmodel.onnxFile).catch((err: Error) => {
    throw new StartupError('PREDICT_ERR_MODEL_FORMAT', `${mlmodel.onnxFile}: cannot read the ONNX file (${err.message})`);
  });
  let onnx: OnnxMeta;
  try {
    onnx = parseOnnxMeta(onnxBytes);
  } catch (err) {
    throw new StartupError('PREDICT_ERR_MODEL_FORMAT', `${mlmodel.onnxFile}: not an ONNX model (${(err as Error).message})`);
  }

  const threads = { intraOp: options.sizing.intraOpThreads, interOp: options.sizing.interOpThreads };
  let session: ort.InferenceSession;
  try {
    // Loaded by path, not from the buffer, so external tensor data files next to it are found.
    session = await ort.InferenceSession.create(mlmodel.onnxFile, {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads.intraOp,
      interOpNumThreads: threads.interOp,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Spinning pool threads burn the CPU quota the event loop needs; a tiny model never waits long.
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    });
  } catch (err) {
    throw new StartupError('PREDICT_ERR_MODEL_LOAD', `${mlmodel.onnxFile}: ${(err as Error).message}`);
  }
  const graph = {
    inputs: session.inputMetadata.map(toGraphValue),
    outputs: session.outputMetadata.map(toGraphValue),
  };
  const where = `${source.dir}`;
  const inputs = createInputMapping(mlmodel.signature, graph.inputs, where);
  const classLabels = classLabelsOf(mlmodel) ?? (onnx.metadataProps['class_labels']?.split(',') || null);
  const outputs = createOutputMapping(graph.outputs, classLabels, where);

  const run = async (batch: EncodedBatch): Promise<OutputMap> => {
    const feeds: Record<string, ort.Tensor> = {};
    for (let i = 0; i < inputs.slots.length; i++) {
      const slot = inputs.slots[i]!;
      feeds[slot.name] = new ort.Tensor(slot.type, batch.arrays[i] as never, [batch.n, ...slot.rowShape]);
    }
    return (await session.run(feeds)) as unknown as OutputMap;
  };

  const loadMs = performance.now() - started;
  const warm = performance.now();
  const warmupRuns = config.model.warmupRuns;
  for (let i = 0; i < warmupRuns; i++) await run(inputs.allocate(1));
  if (warmupRuns > 0 && config.batching.enabled) await run(inputs.allocate(config.batching.maxRows));
  const warmupMs = performance.now() - warm;

  const name = source.registry?.name ?? mlmodel.registered?.name ?? basename(source.dir);
  const version = source.registry?.version ?? mlmodel.registered?.version ?? null;
  log('model loaded', {
    name,
    version,
    dir: source.dir,
    layout: inputs.layout,
    task: outputs.task,
    intraOpThreads: threads.intraOp,
    interOpThreads: threads.interOp,
    loadMs: Math.round(loadMs),
    warmupMs: Math.round(warmupMs),
  });
  return {
    name,
    version,
    source,
    mlmodel,
    onnx,
    digest,
    graph,
    inputs,
    outputs,
    threads,
    timings: { loadMs, warmupMs, warmupRuns },
    run,
    close: () => session.release(),
  };
}

function toGraphValue(m: ort.InferenceSession.ValueMetadata): GraphValue {
  return m.isTensor ? { name: m.name, isTensor: true, type: m.type, shape: [...m.shape] } : { name: m.name, isTensor: false };
}
