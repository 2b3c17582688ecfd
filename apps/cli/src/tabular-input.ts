/**
 * Reads the CLI's tabular inputs: CSV (header row, RFC 4180 quoting: "a, b",
 * "say ""hi""", newlines inside quotes, CRLF) and JSON Lines (one object per
 * line; .jsonl or .ndjson). The format is chosen by the file extension.
 *
 * Errors are `TabularInputError`s naming the file, the line and, where known,
 * the column, so a user can go straight to the bad cell.
 *
 * Missing cells: empty CSV fields and NA / NaN / nan / null / NULL; JSON null or
 * an absent key. Everything else is kept as read (CSV cells are strings).
 */

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

function parseCsvRecords(file: string, text: string): Array<{ line: number; fields: string[] }> {
  const records: Array<{ line: number; fields: string[] }> = [];
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let quotedLine = 0;
  let line = 1;
  let recordLine = 1;
  let fieldStarted = false;
  let closedQuote = false;
  const endRecord = () => {
    fields.push(field);
    // A blank line is no record.
    if (!(fields.length === 1 && fields[0] === '' && !fieldStarted)) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    fieldStarted = false;
    closedQuote = false;
  };
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (inQuotes) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
          closedQuote = true;
        }
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"') {
      if (field !== '') throw new TabularInputError(file, line, null, 'quote in the middle of an unquoted field');
      inQuotes = true;
      quotedLine = line;
      fieldStarted = true;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
      fieldStarted = true;
      closedQuote = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      if (closedQuote) {
        throw new TabularInputError(file, line, null, 'text after a closing quote');
      }
      field += ch;
      fieldStarted = true;
    }
  }
  if (inQuotes) throw new TabularInputError(file, quotedLine, null, 'unterminated quoted field');
  if (field !== '' || fields.length || fieldStarted) endRecord();
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
