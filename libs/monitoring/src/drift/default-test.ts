/**
 * The default drift test for a column, Evidently 0.7's rule
 * (`legacy/calculations/stattests/registry.py::_get_default_stattest`):
 *
 * | reference rows (non-missing) | column                         | test          |
 * |------------------------------|--------------------------------|---------------|
 * | ≤ 1000                       | numeric, > 5 distinct values   | ks            |
 * | ≤ 1000                       | numeric or categorical, 3–5 … | chisquare     |
 * | ≤ 1000                       | … with ≤ 2 distinct values     | z             |
 * | > 1000                       | numeric, > 5 distinct values   | wasserstein   |
 * | > 1000                       | numeric ≤ 5 distinct, categorical | jensenshannon |
 *
 * "Distinct values" counts the union of reference and current, as Evidently does
 * (for categorical columns with ≤ 1000 reference rows: > 2 → chisquare, else z,
 * whatever the cardinality). A numeric sketch has, by construction, more than
 * `capacity` (≥ 32) distinct values. Each test's default threshold comes from the
 * registry; both are overridable per column.
 */
import { categoryCounts } from './binning';
import { getDriftTest } from './registry';
import type { ColumnSummary, NumericSummary } from './summary';
import type { DriftTestDefinition } from './types';

export const SMALL_REFERENCE_MAX_ROWS = 1000;
export const LOW_CARDINALITY_MAX_VALUES = 5;

/**
 * Distinct values of both sides together, counted only up to `LOW_CARDINALITY_MAX_VALUES + 1`
 * for two numeric summaries: the rule below only asks whether it is > 2 and > 5, and this
 * runs for every column at every drift window (building the value-keyed counts of 1,500
 * values to learn "more than 5" was most of the monitor's time in bench:fleet).
 */
function distinctUnion(reference: ColumnSummary, current: ColumnSummary): number {
  if (reference.kind === 'numeric' && (!reference.exact || !current.exact)) return Infinity;
  if (reference.kind === 'numeric' && current.kind === 'numeric') return distinctNumericUpTo(reference, current, LOW_CARDINALITY_MAX_VALUES + 1);
  return categoryCounts(reference, current).keys.length;
}

/** min(distinct values of a ∪ b, cap); a Set compares as String(value) keys do (0 and -0 are one value). */
function distinctNumericUpTo(a: NumericSummary, b: NumericSummary, cap: number): number {
  const seen = new Set<number>();
  for (const side of [a.points().values, b.points().values]) {
    for (let i = 0; i < side.length; i++) {
      seen.add(side[i]);
      if (seen.size >= cap) return cap;
    }
  }
  return seen.size;
}

export function defaultDriftTest(reference: ColumnSummary, current: ColumnSummary): DriftTestDefinition {
  const nValues = distinctUnion(reference, current);
  if (reference.count <= SMALL_REFERENCE_MAX_ROWS) {
    if (reference.kind === 'numeric' && nValues > LOW_CARDINALITY_MAX_VALUES) return getDriftTest('ks');
    return getDriftTest(nValues > 2 ? 'chisquare' : 'z');
  }
  if (reference.kind === 'numeric' && nValues > LOW_CARDINALITY_MAX_VALUES) return getDriftTest('wasserstein');
  return getDriftTest('jensenshannon');
}
