/**
 * Reads the CLI's tabular inputs: CSV (header row, RFC 4180 quoting: "a, b",
 * "say ""hi""", newlines inside quotes, CRLF) and JSON Lines (one object per
 * line; .jsonl or .ndjson). The format is chosen by the file extension.
 *
 * CSV is read by csv-parse. Errors are `TabularInputError`s naming the file, the
 * line (where the record starts) and, where known, the column, so a user can go
 * straight to the bad row.
 *
 * Missing cells: empty CSV fields and NA / NaN / nan / null / NULL; JSON null or
 * an absent key. Everything else is kept as read (CSV cells are strings).
 */

import { CsvError, CsvErrorCode, parse } from 'csv-parse/sync';

export class TabularInputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly column: string | null,
    readonly problem: string,
  ) {
    super(`${file}${line !== null ? `:${line}` : ''}${column !== null ? ` (column '${column}')` : ''}: ${problem}`);
    this.name = 'TabularInputError';
  }
}

export interface Table {
  file: string;
  columns: string[];
  rows: Array<Record<string, unknown>>;
  /** 1-based line number where each row starts. */
  lines: number[];
}

const CSV_MISSING = new Set(['', 'NA', 'NaN', 'nan', 'null', 'NULL']);

export function isMissingCell(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && CSV_MISSING.has(v.trim()));
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A cell as a number: JSON numbers as they are, CSV strings if they look like a number; else null. */
export function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && NUMBER_RE.test(v.trim())) return Number(v.trim());
  return null;
}

export function tableFormat(file: string): 'csv' | 'jsonl' {
  const lower = file.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  throw new TabularInputError(file, null, null, 'unknown file type: expected .csv, .jsonl or .ndjson');
}

export function parseTable(file: string, text: string): Table {
  const table = tableFormat(file) === 'csv' ? parseCsv(file, text) : parseJsonl(file, text);
  if (!table.rows.length) throw new TabularInputError(file, null, null, 'no data rows');
  return table;
}

const CSV_PROBLEMS: Partial<Record<CsvErrorCode, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'unterminated quoted field',
  INVALID_OPENING_QUOTE: 'quote in the middle of an unquoted field',
  CSV_INVALID_CLOSING_QUOTE: 'text after a closing quote',
};

const LINE_BREAK = /\r\n|\r|\n/g;

/**
 * Records with the line each starts on. csv-parse's own line count is not used: it
 * counts a CRLF inside a quoted field as two lines. A record starts after the lines of
 * the records before it (each one line plus the breaks inside its fields) and the
 * blank lines skipped so far; an error is reported at the line of the record it is in.
 */
function parseCsvRecords(file: string, text: string): Array<{ line: number; fields: string[] }> {
  const records: Array<{ line: number; fields: string[] }> = [];
  let linesOfRecords = 0;
  try {
    parse(text, {
      bom: true,
      // Every line ending, even mixed in one file (csv-parse otherwise keeps the first it sees).
      record_delimiter: ['\r\n', '\n', '\r'],
      skip_empty_lines: true,
      // Ragged rows are reported by parseCsv with the expected and found counts.
      relax_column_count: true,
      on_record: (fields: string[], context) => {
        records.push({ line: 1 + linesOfRecords + context.empty_lines, fields });
        linesOfRecords += 1 + fields.reduce((n, f) => n + (f.match(LINE_BREAK)?.length ?? 0), 0);
        return null;
      },
    });
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    const line = 1 + linesOfRecords + Number(e.empty_lines);
    throw new TabularInputError(file, line, null, CSV_PROBLEMS[e.code] ?? e.message);
  }
  return records;
}

function parseCsv(file: string, text: string): Table {
  const records = parseCsvRecords(file, text);
  if (!records.length) throw new TabularInputError(file, null, null, 'empty file (no header row)');
  const columns = records[0].fields.map((c) => c.trim());
  const seen = new Set<string>();
  columns.forEach((c, i) => {
    if (!c) throw new TabularInputError(file, records[0].line, null, `empty column name at position ${i + 1}`);
    if (seen.has(c)) throw new TabularInputError(file, records[0].line, c, 'duplicate column name');
    seen.add(c);
  });
  const rows: Array<Record<string, unknown>> = [];
  const lines: number[] = [];
  for (const r of records.slice(1)) {
    if (r.fields.length !== columns.length) {
      throw new TabularInputError(file, r.line, null, `expected ${columns.length} fields, found ${r.fields.length}`);
    }
    const row: Record<string, unknown> = {};
    columns.forEach((c, i) => (row[c] = r.fields[i]));
    rows.push(row);
    lines.push(r.line);
  }
  return { file, columns, rows, lines };
}

function parseJsonl(file: string, text: string): Table {
  const columns: string[] = [];
  const seen = new Set<string>();
  const rows: Array<Record<string, unknown>> = [];
  const lines: number[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (!raw.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      throw new TabularInputError(file, i + 1, null, `invalid JSON: ${(e as Error).message}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new TabularInputError(file, i + 1, null, 'each line must be a JSON object');
    }
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'object' && v !== null) {
        throw new TabularInputError(file, i + 1, k, 'nested objects and arrays are not supported');
      }
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
    }
    rows.push(value as Record<string, unknown>);
    lines.push(i + 1);
  });
  return { file, columns, rows, lines };
}
