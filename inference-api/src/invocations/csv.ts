// A small RFC 4180 reader for /invocations' text/csv bodies (what pandas.DataFrame.to_csv()
// writes): a header row, comma-separated fields, double-quoted fields with "" escapes, LF or CRLF.
// Blank lines are skipped, as pandas does.

export interface CsvTable {
  header: string[];
  rows: string[][];
}

export class CsvError extends Error {}

export function parseCsv(text: string): CsvTable {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let fieldStarted = false;
  const endField = () => {
    record.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRecord = () => {
    endField();
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
      continue;
    }
    if (c === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') endField();
    else if (c === '\n') endRecord();
    else if (c === '\r') {
      if (text[i + 1] === '\n') i++;
      endRecord();
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) throw new CsvError('EOF inside string');
  if (field !== '' || record.length > 0) endRecord();
  const [header, ...rows] = records;
  if (!header) throw new CsvError('No columns to parse from file');
  for (const [i, row] of rows.entries()) {
    if (row.length > header.length) {
      throw new CsvError(`Error tokenizing data. C error: Expected ${header.length} fields in line ${i + 2}, saw ${row.length}`);
    }
  }
  return { header, rows };
}
