/**
 * Summaries of several columns at once, fed row by row — what the live monitor
 * keeps per model for the current window, and what a reference snapshot is
 * stored as (plain JSON, mergeable).
 */
import { NumericSummary } from './numeric-summary';
import { ColumnKind, ColumnSummary, ColumnSummaryJSON, columnSummaryFromJSON, createColumnSummary, mergeColumnSummaries } from './summary';

export interface DatasetSummaryJSON {
  columns: Record<string, ColumnSummaryJSON>;
}

/**
 * Columns are kept in null-prototype objects and rows are read by own property only, so
 * a column named `__proto__`, `constructor` or `toString` is a column like any other.
 */
export class DatasetSummary {
  readonly columns: Record<string, ColumnSummary> = Object.create(null) as Record<string, ColumnSummary>;

  constructor(kinds: Record<string, ColumnKind> = {}, options: { capacity?: number; maxCategories?: number } = {}) {
    for (const [name, kind] of Object.entries(kinds)) this.columns[name] = createColumnSummary(kind, options);
  }

  /** Adds one row; a column absent from the row counts as missing. */
  addRow(row: Record<string, unknown>): void {
    for (const name of Object.keys(this.columns)) this.columns[name].add(Object.hasOwn(row, name) ? row[name] : undefined);
  }

  /** Gives back the numeric columns' add buffers (`NumericSummary.releaseBuffer`): for a summary done taking rows. */
  releaseBuffers(): this {
    for (const s of Object.values(this.columns)) if (s instanceof NumericSummary) s.releaseBuffer();
    return this;
  }

  merge(other: DatasetSummary): DatasetSummary {
    const out = new DatasetSummary();
    for (const name of new Set([...Object.keys(this.columns), ...Object.keys(other.columns)])) {
      const a = this.columns[name];
      const b = other.columns[name];
      out.columns[name] = a && b ? mergeColumnSummaries(a, b) : (a ?? b);
    }
    return out;
  }

  toJSON(): DatasetSummaryJSON {
    const columns = Object.create(null) as Record<string, ColumnSummaryJSON>;
    for (const [name, s] of Object.entries(this.columns)) columns[name] = s.toJSON();
    return { columns };
  }

  static fromJSON(json: DatasetSummaryJSON): DatasetSummary {
    const out = new DatasetSummary();
    for (const [name, s] of Object.entries(json.columns)) out.columns[name] = columnSummaryFromJSON(s);
    return out;
  }
}
