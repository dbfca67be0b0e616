// MLflow's schema enforcement for column-based signatures, as `mlflow models serve` applies it:
// required columns must be present, extra columns are dropped, values are converted to the
// column type with pandas' leniency (numeric strings, booleans, null -> NaN for floats).
import type { ColumnSpec } from '../model/mlmodel.js';
import type { Row } from '../model/input-mapping.js';
import { csvError, CsvText, invalid, type ParsedInput } from './parse-input.js';

type Table = Extract<ParsedInput, { kind: 'table' }>;

export function tableToRows(table: Table, columns: readonly ColumnSpec[], maxRows: number): Row[] {
  const index = new Map(table.columns.map((c, i) => [c, i]));
  const missing = columns.filter((c) => c.required && !index.has(c.name)).map((c) => `'${c.name}'`);
  if (missing.length > 0) {
    throw invalid(`Failed to enforce schema of data with the model signature. Error: Model is missing inputs [${missing.join(', ')}].`, 'INVALID_PARAMETER_VALUE');
  }
  if (table.rows.length === 0) {
    throw invalid('Failed to enforce schema of data with the model signature. Error: the input has no rows.', 'INVALID_PARAMETER_VALUE');
  }
  if (table.rows.length > maxRows) throw invalid(`the input has ${table.rows.length} rows; the limit is ${maxRows} (PREDICT_MAX_ROWS)`);
  const converters = columns.map((c) => ({ name: c.name, at: index.get(c.name), convert: converterFor(c, table.format === 'csv') }));
  return table.rows.map((values) => {
    const row: Row = {};
    for (const c of converters) row[c.name] = c.convert(c.at === undefined ? null : values[c.at]);
    return row;
  });
}

const FLOAT_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^([+-]?)(nan|inf|infinity)$/i;

/** Python's float(str): surrounding whitespace, "_" between digits, nan/inf/infinity in any case. */
export function pythonFloat(text: string, allowUnderscores: boolean): number | null {
  let s = text.trim();
  if (allowUnderscores) s = s.replace(/(?<=\d)_(?=\d)/g, '');
  const special = NON_FINITE.exec(s);
  if (special) return special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  return FLOAT_TEXT.test(s) ? Number(s) : null;
}

function converterFor(column: ColumnSpec, csv: boolean): (v: unknown) => unknown {
  const fail = (v: unknown, type: string) => {
    const shown = v instanceof CsvText ? v.text : typeof v === 'string' ? v : JSON.stringify(v);
    if (csv) return csvError(`could not convert string to ${type === 'float64' ? 'float' : type}: '${shown}'`);
    return invalid(
      `Invalid input. Data is not compatible with model signature. Failed to convert column ${column.name} to type '${type}'. Error: 'could not convert ${typeof v === 'string' ? 'string' : 'value'} to ${type === 'float64' ? 'float' : type}: '${shown}''`,
    );
  };
  switch (column.type) {
    case 'double':
    case 'float':
      return (v) => {
        if (v === null || v === undefined) return NaN;
        if (typeof v === 'number') return v;
        if (typeof v === 'boolean') return v ? 1 : 0;
        const text = v instanceof CsvText ? v.text : typeof v === 'string' ? v : null;
        const n = text === null ? null : pythonFloat(text, !(v instanceof CsvText));
        if (n === null) throw fail(v, 'float64');
        return n;
      };
    case 'long':
    case 'integer':
      return (v) => {
        const n = v instanceof CsvText ? Number(v.text.trim()) : typeof v === 'string' ? Number(v.trim()) : v;
        if (typeof n !== 'number' || !Number.isInteger(n)) throw fail(v, column.type === 'long' ? 'int64' : 'int32');
        return n;
      };
    case 'boolean':
      return (v) => {
        if (typeof v === 'boolean') return v;
        const t = v instanceof CsvText ? v.text : v;
        if (t === 'True' || t === 'true') return true;
        if (t === 'False' || t === 'false') return false;
        throw fail(v, 'bool');
      };
    case 'string':
      return (v) => (v instanceof CsvText ? v.text : v === null || v === undefined ? '' : String(v));
  }
}
