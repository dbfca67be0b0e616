// Open Inference Protocol (KServe V2) REST bodies, written once: validation, types and OpenAPI.
// `parameters` objects keep unknown keys (the protocol lets clients send their own); the ones this
// server reads are declared.
import { z } from 'zod';
import { errorResponses, type ErrorStatus } from '../error-responses.js';
import { FieldIssueSchema } from '../errors.js';

export const TensorMetaSchema = z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.number()) });

export const ServerMetadataSchema = z.object({ name: z.string(), version: z.string(), extensions: z.array(z.string()) });

export const ModelMetadataSchema = z.object({
  name: z.string(),
  versions: z.array(z.string()),
  platform: z.string(),
  inputs: z.array(TensorMetaSchema),
  outputs: z.array(TensorMetaSchema),
});

export const ModelReadySchema = z.object({ name: z.string(), ready: z.boolean() });

export const InferInputSchema = z.object({
  name: z.string(),
  shape: z.array(z.int().min(0)),
  datatype: z.string().describe('FP32, FP64, INT64, BYTES, ...'),
  parameters: z
    .looseObject({
      binary_data_size: z.int().min(0).optional().describe('binary tensor data extension: the tensor is this many raw little-endian bytes after the JSON header'),
    })
    .optional(),
  data: z.array(z.unknown()).optional().describe('flat or nested values; omitted when parameters.binary_data_size is set'),
});

export const RequestedOutputSchema = z.object({
  name: z.string(),
  parameters: z.looseObject({ binary_data: z.boolean().optional().describe('answer this output as raw bytes after the JSON header') }).optional(),
});

export const InferRequestSchema = z
  .object({
    id: z.string().optional(),
    parameters: z.looseObject({ binary_data_output: z.boolean().optional().describe('answer every output as raw bytes unless it says otherwise') }).optional(),
    inputs: z.array(InferInputSchema).min(1),
    outputs: z.array(RequestedOutputSchema).optional(),
  })
  .describe(
    'JSON, with or without Content-Type. Binary tensor data extension: with the header Inference-Header-Content-Length: <n> ' +
      '(Content-Type application/octet-stream, application/json or none), the first n bytes are this JSON and the rest the ' +
      'tensors of the inputs that declare parameters.binary_data_size, in input order.',
  );
export type InferRequest = z.infer<typeof InferRequestSchema>;

export const InferOutputSchema = z.object({
  name: z.string(),
  datatype: z.string(),
  shape: z.array(z.number()),
  parameters: z.object({ binary_data_size: z.int().min(0) }).optional().describe('set when the output is sent as raw bytes after the JSON header'),
  data: z.array(z.unknown()).optional().describe('row-major values (BYTES as strings); absent for binary outputs'),
});
export type InferOutput = z.infer<typeof InferOutputSchema>;

export const InferResponseSchema = z
  .object({ model_name: z.string(), model_version: z.string().optional(), id: z.string(), outputs: z.array(InferOutputSchema) })
  .describe(
    'application/json; or, when binary outputs were asked for, application/octet-stream: this JSON (its byte length in the ' +
      'response header Inference-Header-Content-Length) followed by the binary outputs in order',
  );
export type InferResponse = z.infer<typeof InferResponseSchema>;

/** The protocol's error body ({error}); `code` and `fields` are ours. */
export const KserveErrorSchema = z
  .object({
    error: z.string(),
    code: z.string().optional().describe('stable error code, PREDICT_ERR_*'),
    fields: z.array(FieldIssueSchema).optional().describe('every offending input, output or header'),
  })
  .meta({ id: 'KserveError' });

/** The shared error answers (descriptions from the catalog), in the protocol's body. */
export function kserveErrorResponses(statuses: readonly ErrorStatus[]) {
  return Object.fromEntries(
    Object.entries(errorResponses(statuses)).map(([status, r]) => [status, { ...r, content: { 'application/json': { schema: KserveErrorSchema } } }]),
  );
}

/** POST infer's 200: JSON, or the JSON header followed by the binary outputs. */
export const InferOkResponse = {
  description: 'the outputs; application/octet-stream when any output was asked for as binary',
  content: {
    'application/json': { schema: InferResponseSchema },
    'application/octet-stream': {
      schema: z.string().meta({ format: 'binary' }).describe('Inference-Header-Content-Length bytes of InferResponse JSON, then the binary outputs in order'),
    },
  },
};
