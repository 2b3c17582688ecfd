/**
 * Column summaries: what a drift test reads instead of raw rows.
 *
 * A reference (training snapshot or a production window) is summarised once;
 * a current window is summarised incrementally with `add(value)`. Every test
 * then costs O(size of the summary), never O(rows). Summaries are plain-JSON
 * serialisable (`toJSON` / `columnSummaryFromJSON`) and mergeable (`merge`).
 *
 * NumericSummary (numeric-summary.ts: exact, then a quantile sketch; its array
 * kernels in numeric-kernels.ts), CategoricalSummary (categorical-summary.ts: capped
 * category counts), their JSON forms (summary-json.ts), and what works on either kind.
 */
import { CategoricalSummary } from './categorical-summary';
import { NumericSummary } from './numeric-summary';
import type { ColumnKind, ColumnSummaryJSON } from './summary-json';

export * from './summary-json';
export { NumericSummary, CategoricalSummary };

export type ColumnSummary = NumericSummary | CategoricalSummary;

export function columnSummaryFromJSON(json: ColumnSummaryJSON): ColumnSummary {
  return json.kind === 'numeric' ? NumericSummary.fromJSON(json) : CategoricalSummary.fromJSON(json);
}

/** A fresh, empty summary of the given kind (e.g. for a live current window). */
export function createColumnSummary(kind: ColumnKind, options: { capacity?: number; maxCategories?: number } = {}): ColumnSummary {
  return kind === 'numeric' ? new NumericSummary(options) : new CategoricalSummary(options);
}

/** Merge two summaries of the same column spec. */
export function mergeColumnSummaries(a: ColumnSummary, b: ColumnSummary): ColumnSummary {
  if (a.kind === 'numeric' && b.kind === 'numeric') return a.merge(b);
  if (a.kind === 'categorical' && b.kind === 'categorical') return a.merge(b);
  throw new TypeError(`cannot merge a ${a.kind} summary with a ${b.kind} summary`);
}
