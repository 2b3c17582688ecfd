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
import type { ColumnSummary } from './summary';
import type { DriftTestDefinition } from './types';

export const SMALL_REFERENCE_MAX_ROWS = 1000;
export const LOW_CARDINALITY_MAX_VALUES = 5;

function distinctUnion(reference: ColumnSummary, current: ColumnSummary): number {
  if (reference.kind === 'numeric' && (!reference.exact || !current.exact)) return Infinity;
  return categoryCounts(reference, current).keys.length;
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
