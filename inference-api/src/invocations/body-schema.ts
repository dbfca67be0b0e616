// The OpenAPI request schema of /invocations, built from the model's column signature so that it
// accepts what the handler accepts (parse-input.ts + enforce.ts), no more and no less: exactly one
// of the four formats (other keys such as `params` are ignored), every required column, at least
// one and at most PREDICT_MAX_ROWS rows, and MLflow's lenient values for float columns (numbers,
// numeric strings, booleans, null as NaN). The handler, not this schema, validates requests (MLflow's
// error codes and messages); test/contract/schemathesis.test.ts checks that the two agree.
// Not expressible in OpenAPI 3.0, so narrower than the handler: records must each carry every
// required column (the handler fills a column missing from some records with NaN), and the
// columnar `inputs`/`instances` form is documented for one row ({column: value or [value]}).
import { z } from 'zod';
import type { ColumnSpec, ColumnType } from '../model/mlmodel.js';
import { FORMATS } from './parse-input.js';

// Python's float(str) as pythonFloat() applies it: surrounding whitespace, "_" between digits,
// nan/inf/infinity in any case. [0-9], not \d: fuzzers read the pattern with Python's Unicode \d.
const DIGITS = '[0-9](_?[0-9])*';
const FINITE = `[+-]?(${DIGITS}(\\.(${DIGITS})?)?|\\.${DIGITS})([eE][+-]?${DIGITS})?`;
const NON_FINITE = '[+-]?([nN][aA][nN]|[iI][nN][fF]([iI][nN][iI][tT][yY])?)';
const FLOAT_TEXT = new RegExp(`^[ \\t\\n\\r]*(${FINITE}|${NON_FINITE})[ \\t\\n\\r]*$`);

function valueSchema(type: ColumnType): z.ZodType {
  switch (type) {
    case 'double':
    case 'float':
      return z.union([z.number(), z.string().regex(FLOAT_TEXT), z.boolean(), z.null()]);
    case 'boolean':
      return z.union([z.boolean(), z.enum(['True', 'true', 'False', 'false'])]);
    case 'string':
      return z.unknown();
    default:
      // Integer columns: pandas-style conversion of numbers and numeric strings.
      return z.union([z.number().int(), z.string()]);
  }
}

const GenericSchema = z
  .union([
    z.object({ dataframe_split: z.object({ columns: z.array(z.string()).optional(), data: z.array(z.array(z.unknown())), index: z.array(z.unknown()).optional() }) }),
    z.object({ dataframe_records: z.array(z.record(z.string(), z.unknown())) }),
    z.object({ instances: z.unknown() }),
    z.object({ inputs: z.unknown() }),
  ])
  .describe('MLflow scoring protocol (JSON); text/csv with a header row is accepted too');

/** Exactly one format key; any other key but the remaining formats is ignored (e.g. `params`). */
function oneOf(format: (typeof FORMATS)[number], value: z.ZodType) {
  const others = Object.fromEntries(FORMATS.filter((f) => f !== format).map((f) => [f, z.never().optional()]));
  return z.looseObject({ ...others, [format]: value });
}

export function invocationsBodySchema(columns: readonly ColumnSpec[] | null, maxRows: number): z.ZodType {
  if (columns === null) return GenericSchema;
  const record = z.looseObject(Object.fromEntries(columns.map((c) => [c.name, c.required ? valueSchema(c.type) : valueSchema(c.type).optional()])));
  const records = z.array(record).min(1).max(maxRows);
  const names = columns.map((c) => c.name);
  const types = new Set(columns.map((c) => c.type));
  const cell = types.size === 1 ? valueSchema(columns[0]!.type) : z.unknown();
  const split = z.looseObject({
    columns: z
      .array(z.enum(names as [string, ...string[]]))
      .length(names.length)
      .meta({ uniqueItems: true }),
    data: z.array(z.array(cell).length(names.length)).min(1).max(maxRows),
    index: z.unknown().optional(),
  });
  // One row in columnar form; every key (extra ones too) holds a scalar or a one-element list.
  const scalar = z.union([z.number(), z.string(), z.boolean(), z.null(), z.record(z.string(), z.unknown())]);
  const cellOrList = (c: ColumnSpec) => z.union([valueSchema(c.type), z.array(valueSchema(c.type)).length(1)]);
  const oneRow = z.object(Object.fromEntries(columns.map((c) => [c.name, c.required ? cellOrList(c) : cellOrList(c).optional()]))).catchall(z.union([scalar, z.array(z.unknown()).length(1)]));
  return z
    .union([
      oneOf('dataframe_split', split),
      oneOf('dataframe_records', records),
      oneOf('instances', z.union([records, oneRow])),
      oneOf('inputs', z.union([records, oneRow])),
    ])
    .describe(
      `MLflow's scoring protocol: exactly one of ${FORMATS.join(', ')}; 1..${maxRows} rows (PREDICT_MAX_ROWS). ` +
        'Also accepted: text/csv with a header row, and columnar {column: [values]} for several rows.',
    );
}
