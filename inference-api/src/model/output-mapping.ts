// How graph outputs become /predict predictions. Three shapes are recognised, generically:
//  - classifier, per-class outputs: `label` [N] + `probability_<class>` [N] (the default model)
//  - classifier, skl2onnx default:  `label` [N] + `probabilities` [N, k]
//  - regressor: a single float output [N] or [N, k]
// Anything else is served as raw outputs by name. Class names come from MLmodel
// metadata.class_labels, else the ONNX metadata_props `class_labels`, else indices.
import { z } from 'zod';
import { StartupError } from '../errors.js';
import type { GraphValue } from './input-mapping.js';

export interface OutputTensor {
  type: string;
  dims: readonly number[];
  data: ArrayLike<unknown>;
}
export type OutputMap = Record<string, OutputTensor>;

export type Prediction =
  | { label: string | number; probabilities?: Record<string, number> }
  | { value: number | number[] }
  | { outputs: Record<string, unknown> };

export interface OutputMapping {
  task: 'classification' | 'regression' | 'raw';
  classes: string[] | null;
  predictionSchema: z.ZodType<Prediction>;
  /** Prediction for row `row` of a batch's outputs. */
  decode(outputs: OutputMap, row: number): Prediction;
}

const FLOAT = new Set(['float32', 'float64', 'float16']);
const LABEL_NAMES = ['label', 'output_label'];
const PROBA_NAMES = ['probabilities', 'output_probability'];

export function sanitizeClass(cls: string): string {
  return cls.replace(/[^0-9A-Za-z_]+/g, '_');
}

export function createOutputMapping(graphOutputs: readonly GraphValue[], classLabels: string[] | null, where: string): OutputMapping {
  const nonTensor = graphOutputs.filter((o) => !o.isTensor);
  if (nonTensor.length > 0) {
    throw new StartupError(
      'PREDICT_ERR_MODEL_FORMAT',
      `${where}: graph output(s) ${nonTensor.map((o) => o.name).join(', ')} are not tensors (a ZipMap?); convert with skl2onnx options {zipmap: False}`,
    );
  }
  const label = graphOutputs.find((o) => LABEL_NAMES.includes(o.name));
  const perClass = graphOutputs.filter((o) => o.name.startsWith('probability_') && FLOAT.has(o.type ?? ''));
  const matrix = graphOutputs.find((o) => PROBA_NAMES.includes(o.name) && FLOAT.has(o.type ?? '') && o.shape?.length === 2);

  if (label && perClass.length > 0) {
    const suffixes = perClass.map((o) => o.name.slice('probability_'.length));
    const classes =
      classLabels && classLabels.length === perClass.length && classLabels.every((c) => suffixes.includes(sanitizeClass(c)))
        ? classLabels
        : suffixes;
    const outputOf = classes.map((c) => `probability_${sanitizeClass(c)}`);
    return classifier(label, classes, (outputs, row) => {
      const p: Record<string, number> = {};
      for (let j = 0; j < classes.length; j++) p[classes[j]!] = Number(outputs[outputOf[j]!]!.data[row]);
      return p;
    });
  }
  if (label && matrix) {
    const k = typeof matrix.shape?.[1] === 'number' ? (matrix.shape[1] as number) : (classLabels?.length ?? 0);
    if (k <= 0) throw new StartupError('PREDICT_ERR_MODEL_FORMAT', `${where}: output "${matrix.name}" has an unknown class count; log the model with metadata.class_labels`);
    const classes = classLabels && classLabels.length === k ? classLabels : Array.from({ length: k }, (_, i) => String(i));
    return classifier(label, classes, (outputs, row) => {
      const data = outputs[matrix.name]!.data;
      const p: Record<string, number> = {};
      for (let j = 0; j < k; j++) p[classes[j]!] = Number(data[row * k + j]);
      return p;
    });
  }
  if (label) return classifier(label, classLabels, null);

  const floats = graphOutputs.filter((o) => FLOAT.has(o.type ?? ''));
  if (graphOutputs.length === 1 && floats.length === 1) {
    const out = floats[0]!;
    const width = (out.shape ?? []).slice(1).reduce<number>((a, d) => a * (typeof d === 'number' ? d : 1), 1);
    const scalar = width === 1;
    return {
      task: 'regression',
      classes: null,
      predictionSchema: z.object({ value: scalar ? z.number() : z.array(z.number()) }) as z.ZodType<Prediction>,
      decode(outputs, row) {
        const data = outputs[out.name]!.data;
        if (scalar) return { value: Number(data[row]) };
        return { value: Array.from({ length: width }, (_, j) => Number(data[row * width + j])) };
      },
    };
  }
  return {
    task: 'raw',
    classes: null,
    predictionSchema: z.object({ outputs: z.record(z.string(), z.unknown()) }) as z.ZodType<Prediction>,
    decode(outputs, row) {
      const values: Record<string, unknown> = {};
      for (const [name, t] of Object.entries(outputs)) values[name] = rowValue(t, row);
      return { outputs: values };
    },
  };

  function classifier(
    labelOut: GraphValue,
    classes: string[] | null,
    probabilities: ((outputs: OutputMap, row: number) => Record<string, number>) | null,
  ): OutputMapping {
    const numericLabel = labelOut.type !== 'string';
    // Integer labels become class names when the model lists its classes (skl2onnx labels are class indices).
    const mapLabel = numericLabel && classes !== null;
    const labelSchema = numericLabel && !mapLabel ? z.number() : classes ? z.enum(classes as [string, ...string[]]) : z.string();
    const schema = z.object({
      label: labelSchema,
      ...(probabilities && classes ? { probabilities: z.object(Object.fromEntries(classes.map((c) => [c, z.number()]))) } : {}),
    });
    return {
      task: 'classification',
      classes,
      predictionSchema: schema as unknown as z.ZodType<Prediction>,
      decode(outputs, row) {
        const raw = outputs[labelOut.name]!.data[row];
        const label = mapLabel ? (classes![Number(raw)] ?? String(raw)) : numericLabel ? Number(raw) : (raw as string);
        return probabilities ? { label, probabilities: probabilities(outputs, row) } : { label };
      },
    };
  }
}

/** The value of one row of an output tensor, nested like the tensor's trailing dimensions. */
export function rowValue(t: OutputTensor, row: number): unknown {
  const inner = t.dims.slice(1);
  const width = inner.reduce((a, b) => a * b, 1);
  const flat = Array.from({ length: width }, (_, j) => plain(t.data[row * width + j]));
  return inner.length === 0 ? flat[0] : nest(flat, inner);
}

export function nest(flat: unknown[], dims: readonly number[]): unknown[] {
  if (dims.length <= 1) return flat;
  const [, ...rest] = dims;
  const step = rest.reduce((a, b) => a * b, 1);
  const out: unknown[] = [];
  for (let i = 0; i < flat.length; i += step) out.push(nest(flat.slice(i, i + step), rest));
  return out;
}

export function plain(v: unknown): unknown {
  return typeof v === 'bigint' ? Number(v) : v;
}
