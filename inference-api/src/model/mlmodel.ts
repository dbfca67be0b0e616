// Reads an MLflow model folder's MLmodel file: the onnx flavor, the signature (column- or
// tensor-based; stored as JSON strings inside the YAML), metadata and registry info.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { StartupError } from '../errors.js';

export const ColumnTypeSchema = z.enum(['double', 'float', 'long', 'integer', 'boolean', 'string']);
export type ColumnType = z.infer<typeof ColumnTypeSchema>;

export const ColumnSpecSchema = z.object({
  name: z.string(),
  type: ColumnTypeSchema,
  required: z.boolean().default(true),
});
export type ColumnSpec = z.infer<typeof ColumnSpecSchema>;

export const TensorSpecSchema = z.object({
  name: z.string().optional(),
  type: z.literal('tensor'),
  'tensor-spec': z.object({ dtype: z.string(), shape: z.array(z.number().int()) }),
});
export type TensorSpec = z.infer<typeof TensorSpecSchema>;

export const SignatureSchema = z.union([
  z.object({ kind: z.literal('columns'), columns: z.array(ColumnSpecSchema).min(1) }),
  z.object({ kind: z.literal('tensors'), tensors: z.array(TensorSpecSchema).min(1) }),
]);
export type Signature = z.infer<typeof SignatureSchema>;

const MLmodelFileSchema = z.looseObject({
  flavors: z.looseObject({
    onnx: z
      .looseObject({
        data: z.string(),
        onnx_version: z.string().optional(),
        providers: z.array(z.string()).nullish(),
        onnx_session_options: z.record(z.string(), z.unknown()).nullish(),
      })
      .optional(),
  }),
  signature: z.looseObject({ inputs: z.string().nullish(), outputs: z.string().nullish() }).nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  mlflow_version: z.string().nullish(),
  model_uuid: z.string().nullish(),
  model_id: z.string().nullish(),
  run_id: z.string().nullish(),
  utc_time_created: z.string().nullish(),
});

const RegisteredMetaSchema = z.object({ model_name: z.string(), model_version: z.union([z.string(), z.number()]) });

export interface MLmodel {
  dir: string;
  onnxFile: string;
  onnxVersion: string | null;
  signature: Signature | null;
  /** MLflow's output schema if the signature has one (informational). */
  outputSignature: unknown;
  metadata: Record<string, unknown>;
  mlflowVersion: string | null;
  modelUuid: string | null;
  runId: string | null;
  createdAt: string | null;
  registered: { name: string; version: string } | null;
}

/** Reads `<dir>/MLmodel` (and `registered_model_meta` if present). Errors name the file and key. */
export async function readMLmodel(dir: string): Promise<MLmodel> {
  const file = join(dir, 'MLmodel');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new StartupError('PREDICT_ERR_MODEL_FORMAT', `${file}: cannot read the MLmodel file (${(err as Error).message}); MODEL_URI must point at an MLflow model folder`);
  }
  const raw = parseYamlFile(file, text);
  const parsed = MLmodelFileSchema.safeParse(raw);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new StartupError('PREDICT_ERR_MODEL_FORMAT', `${file}: not a valid MLmodel file (${where})`);
  }
  const m = parsed.data;
  if (!m.flavors.onnx) {
    const flavors = Object.keys(m.flavors).join(', ') || 'none';
    throw new StartupError('PREDICT_ERR_MODEL_FORMAT', `${file}: key flavors.onnx is missing (flavors: ${flavors}); rightsize serves ONNX models logged with mlflow.onnx`);
  }
  return {
    dir,
    onnxFile: join(dir, m.flavors.onnx.data),
    onnxVersion: m.flavors.onnx.onnx_version ?? null,
    signature: parseSignature(file, m.signature?.inputs ?? null),
    outputSignature: m.signature?.outputs ? safeJson(m.signature.outputs) : null,
    metadata: m.metadata ?? {},
    mlflowVersion: m.mlflow_version ?? null,
    modelUuid: m.model_uuid ?? m.model_id ?? null,
    runId: m.run_id ?? null,
    createdAt: m.utc_time_created ?? null,
    registered: await readRegisteredMeta(dir),
  };
}

function parseYamlFile(file: string, text: string): unknown {
  try {
    return parseYaml(text);
  } catch (err) {
    throw new StartupError('PREDICT_ERR_MODEL_FORMAT', `${file}: invalid YAML (${(err as Error).message})`);
  }
}

/** Pure: the `signature.inputs` JSON string -> a column- or tensor-based signature. */
export function parseSignature(file: string, inputs: string | null): Signature | null {
  if (inputs === null) return null;
  let specs: unknown;
  try {
    specs = JSON.parse(inputs);
  } catch (err) {
    throw new StartupError('PREDICT_ERR_MODEL_FORMAT', `${file}: key signature.inputs is not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(specs) || specs.length === 0) {
    throw new StartupError('PREDICT_ERR_MODEL_FORMAT', `${file}: key signature.inputs must be a non-empty JSON array`);
  }
  const isTensor = specs.every((s) => s && typeof s === 'object' && (s as { type?: unknown }).type === 'tensor');
  const candidate = isTensor ? { kind: 'tensors', tensors: specs } : { kind: 'columns', columns: specs };
  const parsed = SignatureSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue ? issue.path.slice(1).join('.') : '';
    throw new StartupError(
      'PREDICT_ERR_MODEL_FORMAT',
      `${file}: key signature.inputs${at ? `[${at}]` : ''} is not supported (${issue?.message ?? 'invalid'}); ` +
        'supported: named columns of type double/float/long/integer/boolean/string, or tensors',
    );
  }
  return parsed.data;
}

async function readRegisteredMeta(dir: string): Promise<{ name: string; version: string } | null> {
  let text: string;
  try {
    text = await readFile(join(dir, 'registered_model_meta'), 'utf8');
  } catch {
    return null;
  }
  const parsed = RegisteredMetaSchema.safeParse(parseYamlFile(join(dir, 'registered_model_meta'), text));
  return parsed.success ? { name: parsed.data.model_name, version: String(parsed.data.model_version) } : null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Class names from metadata.class_labels, if the model was logged with them. */
export function classLabelsOf(mlmodel: MLmodel): string[] | null {
  const labels = mlmodel.metadata['class_labels'];
  return Array.isArray(labels) && labels.length > 0 ? labels.map(String) : null;
}
