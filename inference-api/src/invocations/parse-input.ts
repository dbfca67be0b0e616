// MLflow's scoring protocol, input side: content type, then JSON (dataframe_split,
// dataframe_records, instances, inputs) or CSV, into a table of columns (for column-based
// signatures) or nested arrays (tensor-based). Status codes, error codes and the lenient value
// conversions (numeric strings, booleans, null -> NaN) follow `mlflow models serve` 3.17;
// messages are ours. See inference-api/README.md#invocations for the known differences.
import { ApiError, type MlflowErrorCode } from '../errors.js';
import { CsvError, parseCsv } from './csv.js';

export const FORMATS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;
const FORMAT_SET = `{${FORMATS.map((f) => `'${f}'`).join(', ')}}`;
export const REQUIRED_INPUT_FORMAT = `The input must be a JSON dictionary with exactly one of the input fields ${FORMAT_SET}`;
const CONTENT_TYPES = "['text/csv', 'application/json', 'application/vnd.apache.parquet']";

export type ParsedInput =
  | { kind: 'table'; columns: string[]; rows: unknown[][]; format: string }
  | { kind: 'tensor'; data: unknown; format: string };

export function invalid(message: string, mlflowCode: MlflowErrorCode = 'BAD_REQUEST'): ApiError {
  return new ApiError('PREDICT_ERR_VALIDATION', { message, mlflowCode });
}

function unsupported(message: string): ApiError {
  return new ApiError('PREDICT_ERR_UNSUPPORTED_MEDIA_TYPE', { message });
}

/** Pure: the Content-Type header and raw body -> a parsed input, or an ApiError like MLflow's. */
export function parseInvocationInput(contentType: string | undefined, body: Buffer): ParsedInput {
  const parts = (contentType ?? '').split(';').map((p) => p.trim());
  const mime = parts[0] ?? '';
  const params = new Map(parts.slice(1).filter(Boolean).map((p) => [p.split('=')[0]!, p.slice(p.indexOf('=') + 1)]));
  if ((params.get('charset') ?? 'utf-8').toLowerCase() !== 'utf-8') throw unsupported('The scoring server only supports UTF-8');
  const unexpected = [...params.keys()].filter((k) => k !== 'charset');
  if (unexpected.length > 0) throw unsupported(`Unrecognized content type parameters: ${unexpected.join(', ')}.`);
  if (mime === 'text/csv') return parseCsvBody(body);
  if (mime !== 'application/json') {
    throw unsupported(`This predictor only supports the following content types: Types: ${CONTENT_TYPES}. Got '${contentType ?? ''}'.`);
  }
  const json = parseJsonLenient(body);
  if (Array.isArray(json)) throw invalid(`Invalid input. ${REQUIRED_INPUT_FORMAT}. Received a list.`);
  if (json === null || typeof json !== 'object') throw invalid(`Invalid input. ${REQUIRED_INPUT_FORMAT}. Received unexpected input type '${typeof json}'.`);
  const obj = json as Record<string, unknown>;
  const present = FORMATS.filter((f) => f in obj);
  if (present.length !== 1) {
    throw invalid(`${REQUIRED_INPUT_FORMAT}. Received dictionary with input fields: [${Object.keys(obj).map((k) => `'${k}'`).join(', ')}].`);
  }
  const format = present[0]!;
  const data = obj[format];
  switch (format) {
    case 'dataframe_records':
      if (!Array.isArray(data)) throw invalid(`Invalid input. Dataframe records format must be a list of records. Got ${describeType(data)}.`);
      return recordsTable(data, format);
    case 'dataframe_split':
      return splitTable(data);
    default:
      return tfServing(data, format);
  }
}

/** Python's json.loads accepts NaN, Infinity and -Infinity literals; JSON.parse does not. */
function parseJsonLenient(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (first) {
    const patched = replaceNonFiniteLiterals(text);
    if (patched !== text) {
      try {
        return JSON.parse(patched, (_k, v: unknown) => (v === NAN_MARKER ? NaN : v));
      } catch {
        // fall through to the original error
      }
    }
    throw invalid(`Invalid input. Ensure that input is a valid JSON formatted string. Error: '${(first as Error).message}'`);
  }
}

const NAN_MARKER = '\u0000rightsize-nan\u0000';

function replaceNonFiniteLiterals(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (text.startsWith('NaN', i)) {
      out += JSON.stringify(NAN_MARKER);
      i += 2;
    } else if (text.startsWith('-Infinity', i)) {
      out += '-1e999';
      i += 8;
    } else if (text.startsWith('Infinity', i)) {
      out += '1e999';
      i += 7;
    } else out += c;
  }
  return out;
}

function recordsTable(records: unknown[], format: string): ParsedInput {
  const columns: string[] = [];
  const index = new Map<string, number>();
  for (const r of records) {
    const keys = r !== null && typeof r === 'object' && !Array.isArray(r) ? Object.keys(r) : Array.isArray(r) ? r.map((_, i) => String(i)) : [];
    for (const k of keys) {
      if (!index.has(k)) {
        index.set(k, columns.length);
        columns.push(k);
      }
    }
  }
  const rows = records.map((r) => {
    const row = new Array<unknown>(columns.length).fill(null);
    if (Array.isArray(r)) r.forEach((v, i) => (row[i] = v));
    else if (r !== null && typeof r === 'object') for (const [k, v] of Object.entries(r)) row[index.get(k)!] = v;
    return row;
  });
  return { kind: 'table', columns, rows, format };
}

function splitTable(split: unknown): ParsedInput {
  const notSplit = (why: string) => invalid(`Invalid input. Provided dataframe_split field is not a valid dataframe representation in 'split' format. Error: '${why}'`);
  if (split === null || typeof split !== 'object' || Array.isArray(split)) throw notSplit(`expected a dictionary, got ${describeType(split)}`);
  const { columns, data } = split as { columns?: unknown; data?: unknown };
  if (!Array.isArray(data) || !data.every(Array.isArray)) throw notSplit('"data" must be a list of rows');
  const rows = data as unknown[][];
  const cols = Array.isArray(columns) ? columns.map(String) : Array.from({ length: rows[0]?.length ?? 0 }, (_, i) => String(i));
  for (const row of rows) {
    if (row.length !== cols.length) throw notSplit(`${cols.length} columns passed, passed data had ${row.length} columns`);
  }
  return { kind: 'table', columns: cols, rows, format: 'dataframe_split' };
}

function tfServing(data: unknown, format: string): ParsedInput {
  if (Array.isArray(data) && data.length > 0 && data.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r))) {
    return recordsTable(data, format);
  }
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    // Columnar: {"col": [v0, v1, ...]} or {"col": v} for a single row.
    const entries = Object.entries(data as Record<string, unknown>);
    const lengths = new Set(entries.map(([, v]) => (Array.isArray(v) ? v.length : 1)));
    if (lengths.size > 1) throw invalid(`Ensure that the input is a valid JSON-formatted string. Error: columns of different lengths (${[...lengths].join(', ')})`);
    const n = lengths.values().next().value ?? 0;
    const rows = Array.from({ length: n }, (_, i) => entries.map(([, v]) => (Array.isArray(v) ? v[i] : v)));
    return { kind: 'table', columns: entries.map(([k]) => k), rows, format };
  }
  return { kind: 'tensor', data, format };
}

function parseCsvBody(body: Buffer): ParsedInput {
  try {
    const table = parseCsv(body.toString('utf8'));
    return { kind: 'table', columns: table.header, rows: table.rows.map((r) => table.header.map((_, i) => csvValue(r[i]))), format: 'csv' };
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    throw csvError(err.message);
  }
}

export function csvError(detail: string): ApiError {
  return invalid(
    'Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid CSV-formatted Pandas DataFrame produced using the `pandas.DataFrame.to_csv()` method. ' +
      `Error: '${detail}'`,
  );
}

/** pandas' default NA strings become missing values; everything else stays text until typed. */
const CSV_NA = new Set(['', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null']);

function csvValue(v: string | undefined): unknown {
  return v === undefined || CSV_NA.has(v) ? null : new CsvText(v);
}

/** A CSV cell: converted like pandas' C parser, not like Python's float() on JSON strings. */
export class CsvText {
  constructor(readonly text: string) {}
}

function describeType(v: unknown): string {
  if (Array.isArray(v)) return 'list';
  if (v === null) return 'None';
  return typeof v === 'object' ? 'dictionary' : typeof v;
}
