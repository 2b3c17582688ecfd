/**
 * Column- and dataset-level drift from summaries.
 *
 * Dataset drift (Evidently's DatasetDriftMetric): share of drifted columns ≥
 * `driftShareThreshold` (default 0.5). The share is over the columns that could
 * be tested (non-empty on both sides); untestable columns are reported with a
 * status and never count as drifted.
 *
 * With a `correction` (Holm or Benjamini–Hochberg, `multiple-testing.ts`), the p-values
 * of the columns tested by a p-value criterion in this call form one family: each such
 * column is drifted when its adjusted p-value is below its threshold. Distance criteria
 * (Wasserstein, PSI…) have no p-value and are left as they are.
 */
import { defaultDriftTest } from './default-test';
import { adjustPValues, DriftCorrection } from './multiple-testing';
import { getDriftTest } from './registry';
import type { ColumnKind, ColumnSummary } from './summary';
import type { DriftCriterion } from './types';

export const DEFAULT_DRIFT_SHARE_THRESHOLD = 0.5;

export interface ColumnDriftOptions {
  /** Registry name of the test; default chosen by `defaultDriftTest`. */
  test?: string;
  /** Overrides the test's default threshold. */
  threshold?: number;
  /** Threshold of a p-value test when `threshold` is not given (e.g. derived from a false-alarm budget). */
  pValueThreshold?: number;
}

export type ColumnDriftStatus = 'ok' | 'empty-reference' | 'empty-current' | 'missing-in-current';

export interface SideCounts {
  /** Non-missing, well-typed values the test used. */
  count: number;
  missing: number;
  /** Type mismatches (numeric columns only). */
  invalid: number;
  /** Rows in categories beyond the summary's cap (categorical columns; included in count). */
  overflow: number;
}

export interface ColumnDriftResult {
  column: string;
  kind: ColumnKind;
  test: string;
  criterion: DriftCriterion;
  threshold: number;
  statistic: number | null;
  pValue: number | null;
  /** The p-value after the dataset's multiple-testing correction (= pValue without one; null without a p-value). */
  adjustedPValue: number | null;
  drifted: boolean;
  status: ColumnDriftStatus;
  approximate: boolean;
  reference: SideCounts;
  current: SideCounts;
  /**
   * Categories present in the current window and absent from the reference (categorical
   * columns). When the reference overflowed its category cap, a category it does not keep
   * may be in its overflow: it is not listed (the test compares it in the "other" bin).
   */
  unseenCategories: string[];
  details?: Record<string, unknown>;
}

function counts(s: ColumnSummary | undefined): SideCounts {
  if (!s) return { count: 0, missing: 0, invalid: 0, overflow: 0 };
  return { count: s.count, missing: s.missing, invalid: s.invalid, overflow: s.kind === 'categorical' ? s.overflow : 0 };
}

export function computeColumnDrift(column: string, reference: ColumnSummary, current: ColumnSummary | undefined, options: ColumnDriftOptions = {}): ColumnDriftResult {
  if (current && current.kind !== reference.kind) {
    throw new TypeError(`column '${column}': reference is ${reference.kind} but current is ${current.kind}`);
  }
  // Without a current summary the test is only named (status says why nothing was computed).
  const cur = current ?? reference;
  const test = options.test ? getDriftTest(options.test, reference.kind) : defaultDriftTest(reference, cur);
  const threshold = options.threshold ?? (test.criterion === 'p-value<threshold' ? options.pValueThreshold : undefined) ?? test.defaultThreshold;
  const unseenCategories: string[] = [];
  if (reference.kind === 'categorical' && current?.kind === 'categorical') {
    if (reference.overflow === 0) {
      for (const k of current.categories()) if (reference.countOf(k) === 0) unseenCategories.push(k);
    }
  }
  const base = {
    column,
    kind: reference.kind,
    test: test.name,
    criterion: test.criterion,
    threshold,
    reference: counts(reference),
    current: counts(current),
    unseenCategories,
  };
  const status: ColumnDriftStatus = !current ? 'missing-in-current' : reference.count === 0 ? 'empty-reference' : current.count === 0 ? 'empty-current' : 'ok';
  if (status !== 'ok') {
    return { ...base, statistic: null, pValue: null, adjustedPValue: null, drifted: false, status, approximate: false };
  }
  const outcome = test.compute(reference, cur);
  const drifted = test.criterion === 'p-value<threshold' ? outcome.pValue !== null && outcome.pValue < threshold : outcome.statistic >= threshold;
  return {
    ...base,
    statistic: outcome.statistic,
    pValue: outcome.pValue,
    adjustedPValue: outcome.pValue,
    drifted,
    status,
    approximate: outcome.approximate,
    ...(outcome.details ? { details: outcome.details } : {}),
  };
}

export interface DatasetDriftOptions {
  columns?: Record<string, ColumnDriftOptions>;
  /** Dataset drift when the share of drifted columns is ≥ this (default 0.5). */
  driftShareThreshold?: number;
  /** Multiple-testing correction across the p-value columns (default `none`, Evidently's rule). */
  correction?: DriftCorrection;
  /** Threshold of every p-value test without its own (`calibrateDriftAlpha`); default the test's. */
  pValueThreshold?: number;
}

export interface DatasetDriftResult {
  columns: ColumnDriftResult[];
  numberOfColumns: number;
  numberOfTestedColumns: number;
  numberOfDriftedColumns: number;
  shareOfDriftedColumns: number;
  driftShareThreshold: number;
  correction: DriftCorrection;
  datasetDrift: boolean;
}

export const DEFAULT_DRIFT_CORRECTION: DriftCorrection = 'none';

/** Re-decides the p-value columns on their adjusted p-values (a new array; the others unchanged). */
function correctColumns(columns: ColumnDriftResult[], correction: DriftCorrection): ColumnDriftResult[] {
  if (correction === 'none') return columns;
  const family = columns.filter((c) => c.status === 'ok' && c.criterion === 'p-value<threshold' && c.pValue !== null);
  const adjusted = adjustPValues(
    family.map((c) => c.pValue as number),
    correction,
  );
  const byColumn = new Map(family.map((c, i) => [c, adjusted[i]]));
  return columns.map((c) => {
    const p = byColumn.get(c);
    return p === undefined ? c : { ...c, adjustedPValue: p, drifted: p < c.threshold };
  });
}

/** Drift of every reference column (in the reference's key order). */
export function computeDatasetDrift(reference: Record<string, ColumnSummary>, current: Record<string, ColumnSummary>, options: DatasetDriftOptions = {}): DatasetDriftResult {
  const driftShareThreshold = options.driftShareThreshold ?? DEFAULT_DRIFT_SHARE_THRESHOLD;
  const correction = options.correction ?? DEFAULT_DRIFT_CORRECTION;
  const columns = correctColumns(
    Object.keys(reference).map((name) => computeColumnDrift(name, reference[name], current[name], { pValueThreshold: options.pValueThreshold, ...options.columns?.[name] })),
    correction,
  );
  const tested = columns.filter((c) => c.status === 'ok');
  const drifted = tested.filter((c) => c.drifted).length;
  const share = tested.length ? drifted / tested.length : 0;
  return {
    columns,
    numberOfColumns: columns.length,
    numberOfTestedColumns: tested.length,
    numberOfDriftedColumns: drifted,
    shareOfDriftedColumns: share,
    driftShareThreshold,
    correction,
    datasetDrift: tested.length > 0 && share >= driftShareThreshold,
  };
}
