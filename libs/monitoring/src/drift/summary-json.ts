/** The kinds of column, the JSON forms of their summaries and what counts as missing (shared by both summaries). */

export type ColumnKind = 'numeric' | 'categorical';

export const DEFAULT_SKETCH_CAPACITY = 2048;
export const DEFAULT_MAX_CATEGORIES = 1000;

export interface NumericSummaryJSON {
  kind: 'numeric';
  capacity: number;
  exact: boolean;
  count: number;
  missing: number;
  invalid: number;
  min: number | null;
  max: number | null;
  mean: number;
  m2: number;
  values: number[];
  weights: number[];
}

export interface CategoricalSummaryJSON {
  kind: 'categorical';
  count: number;
  missing: number;
  /** Absent in summaries written before the cap existed (then: default, no overflow). */
  maxCategories?: number;
  overflow?: number;
  categories: Array<[string, number]>;
}

export type ColumnSummaryJSON = NumericSummaryJSON | CategoricalSummaryJSON;

/** Missing values (null, undefined, '', NaN, ±Infinity — Evidently drops infinities too) are counted, not added. */
export function isMissing(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (typeof value === 'number' && !Number.isFinite(value));
}
