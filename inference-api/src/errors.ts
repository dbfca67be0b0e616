// The one catalog of API error codes. Codes are stable (tests and clients match on them);
// messages are for humans and may change.
import { z } from 'zod';

export const ERRORS = {
  PREDICT_ERR_VALIDATION: { status: 400, title: 'the request does not match the model signature' },
  PREDICT_ERR_INVALID_JSON: { status: 400, title: 'the body is not valid JSON' },
  PREDICT_ERR_EMPTY_BATCH: { status: 400, title: 'the batch is empty' },
  PREDICT_ERR_BATCH_TOO_LARGE: { status: 400, title: 'the batch has more rows than PREDICT_MAX_ROWS' },
  PREDICT_ERR_BAD_REQUEST: { status: 400, title: 'the request is malformed' },
  PREDICT_ERR_BINARY_DATA: { status: 400, title: 'the binary tensor data does not match its JSON inference header (Open Inference Protocol)' },
  PREDICT_ERR_MODEL_NOT_FOUND: { status: 404, title: 'no such model' },
  PREDICT_ERR_NOT_FOUND: { status: 404, title: 'no such route' },
  PREDICT_ERR_METHOD_NOT_ALLOWED: { status: 405, title: 'method not allowed on this route' },
  PREDICT_ERR_BODY_TOO_LARGE: { status: 413, title: 'the body is larger than BODY_LIMIT_BYTES' },
  PREDICT_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'unsupported content type' },
  PREDICT_ERR_INTERNAL: { status: 500, title: 'internal error' },
  PREDICT_ERR_OVERLOADED: { status: 503, title: 'too many requests in flight; retry later' },
  PREDICT_ERR_SHUTTING_DOWN: { status: 503, title: 'the server is shutting down; retry on another replica' },
  // Startup failures: printed with the code, then the process exits non-zero.
  PREDICT_ERR_MODEL_URI: { status: 0, title: 'MODEL_URI cannot be used' },
  PREDICT_ERR_MLFLOW: { status: 0, title: 'the MLflow server refused or failed a request' },
  PREDICT_ERR_MODEL_FORMAT: { status: 0, title: 'the model folder is not a servable MLflow ONNX model' },
  PREDICT_ERR_MODEL_LOAD: { status: 0, title: 'ONNX Runtime could not load the model' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export const FieldIssueSchema = z.object({
  field: z.string().describe('feature, column or tensor name; [i] marks an element of a tensor value'),
  row: z.number().int().optional().describe('0-based row of a batch request'),
  message: z.string(),
});
export type FieldIssue = z.infer<typeof FieldIssueSchema>;

export const ErrorBodySchema = z
  .object({
    statusCode: z.number().int(),
    code: z.string().describe('stable error code, PREDICT_ERR_*'),
    error: z.string(),
    message: z.string(),
    fields: z.array(FieldIssueSchema).optional().describe('every offending field (capped at 100)'),
    fieldsTruncated: z.boolean().optional(),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** The body /invocations answers errors with (MLflow's scoring server's shape; 415 is plain text). */
export const MlflowErrorBodySchema = z
  .object({
    error_code: z.enum(['BAD_REQUEST', 'INVALID_PARAMETER_VALUE', 'TEMPORARILY_UNAVAILABLE', 'INTERNAL_ERROR']),
    message: z.string(),
  })
  .meta({ id: 'MlflowError' });

/** MLflow's scoring-server error codes we answer with on /invocations (same as mlflow's). */
export type MlflowErrorCode = z.infer<typeof MlflowErrorBodySchema>['error_code'];

export interface ApiErrorOptions {
  message?: string;
  fields?: FieldIssue[];
  headers?: Record<string, string>;
  mlflowCode?: MlflowErrorCode;
  cause?: unknown;
}

/**
 * The API's coded error. It has the shape of the other workspaces' errors (`CodedError` in
 * compose/src/kit/errors.ts: a stable code, a message, the offending keys) but does not extend
 * it, because the API imports no other workspace: its image holds only inference-api/ (see
 * docs/architecture.md). What the kit calls `details` is `fields` here, the list of offending
 * fields that the error body carries as is, and the catalog adds the HTTP status.
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly fields: FieldIssue[] | undefined;
  readonly headers: Record<string, string> | undefined;
  readonly mlflowCode: MlflowErrorCode | undefined;

  constructor(code: ErrorCode, options: ApiErrorOptions = {}) {
    super(options.message ?? ERRORS[code].title, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.statusCode = ERRORS[code].status;
    this.fields = options.fields;
    this.headers = options.headers;
    this.mlflowCode = options.mlflowCode;
  }
}

export function createApiError(code: ErrorCode, options?: ApiErrorOptions): ApiError {
  return new ApiError(code, options);
}

export function isApiError(err: unknown, code?: ErrorCode): err is ApiError {
  return err instanceof ApiError && (code === undefined || err.code === code);
}

/** A startup failure: `code: message`, meant to be printed as is before exiting non-zero. */
export class StartupError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
    this.code = code;
  }
}

export const MAX_REPORTED_FIELDS = 100;
