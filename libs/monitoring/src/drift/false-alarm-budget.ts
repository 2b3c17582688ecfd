/**
 * A false-alarm budget for `dataset_drift` ("at most `alerts` false drift alerts per `days`
 * days at `eventsPerDay` predictions a day"), turned into the per-column p-value threshold
 * α of the window tests, in the spirit of Alibi Detect's expected-run-time calibration.
 *
 * Closed form (`provenDriftAlpha`) under the null (no drift), assuming the T p-value columns
 * independent and their p-values uniform (KS and χ² are conservative on ties):
 *
 *   needed = max(1, ⌈s·T⌉) drifted columns for a drifted window (s = driftShareThreshold)
 *   q(α)   = P(Binomial(T, α) ≥ needed)   without a correction
 *   q(α)  ≤ α                            with holm or bh (both bound the family-wise error
 *                                         by α when every column is null)
 *   an episode needs k = driftPersistence drifted windows in a row: at most q^k per window,
 *   so false alerts per day ≤ (eventsPerDay / driftWindow) · q(α)^k.
 *
 * This does not hold as measured (docs/detection.md): every window is compared with the same
 * reference, whose own sampling error all windows share, so given the reference q is not
 * q(α) but q_R(α), larger for an unlucky reference, and the false windows come together:
 * the rate is E_R[q_R(α)^k] ≥ q(α)^k. Columns are not independent either (the prediction is
 * a function of the features). `calibrateDriftAlpha` measures E_R[q_R(α)^k] by a double
 * bootstrap on the reference's rows: outer, a reference R* resampled from the reference
 * (another reference the same traffic could have given); inner, windows resampled from the
 * reference (traffic from the distribution R* was drawn from), each tested against R* as
 * the monitor tests its windows. It keeps the rows' joint structure and the tests' real
 * null distributions. α is the largest value whose bootstrapped rate meets the budget, and
 * never above the closed form's (which the rate cannot beat when the columns are independent).
 *
 * `maxAlpha` (default 0.05, Evidently's) keeps a loose budget from making the tests less
 * strict than the default.
 */
import { mulberry32 } from '../random';
import { computeDatasetDrift } from './column-drift';
import { DatasetSummary } from './dataset-summary';
import type { DriftCorrection } from './multiple-testing';
import { logBinomial } from './special';
import type { ColumnKind } from './summary';

export const DEFAULT_MAX_ALPHA = 0.05;

export interface FalseAlarmBudget {
  /** False dataset_drift alerts allowed per `days`. */
  alerts: number;
  days: number;
  /** The model's traffic: predictions a day. */
  eventsPerDay: number;
}

export interface DriftWindowDesign {
  driftWindow: number;
  driftPersistence: number;
  /** Columns tested by a p-value test in each window. */
  columns: number;
  driftShareThreshold: number;
  correction: DriftCorrection;
}

/** P(Binomial(n, p) ≥ k), summed term by term in log space (n is a column count: small). */
export function binomialSf(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  let sum = 0;
  for (let j = k; j <= n; j++) sum += Math.exp(logBinomial(n, j) + j * Math.log(p) + (n - j) * Math.log1p(-p));
  return Math.min(1, sum);
}

/** Bound on the probability that one null window counts as drifted, at per-column threshold α. */
export function nullWindowDriftProbability(alpha: number, design: Pick<DriftWindowDesign, 'columns' | 'driftShareThreshold' | 'correction'>): number {
  const needed = Math.max(1, Math.ceil(design.driftShareThreshold * design.columns - 1e-12));
  // Holm and BH both bound the family-wise error by α when every column is null.
  return design.correction === 'none' ? binomialSf(needed, design.columns, alpha) : alpha;
}

/** Bound on false dataset_drift alerts per day at threshold α. */
export function falseDriftAlertsPerDay(alpha: number, design: DriftWindowDesign, eventsPerDay: number): number {
  return (eventsPerDay / design.driftWindow) * nullWindowDriftProbability(alpha, design) ** design.driftPersistence;
}

function allowedPerDay(budget: FalseAlarmBudget): number {
  if (!(budget.alerts > 0 && budget.days > 0 && budget.eventsPerDay > 0)) throw new RangeError('a false-alarm budget needs alerts, days and eventsPerDay > 0');
  return budget.alerts / budget.days;
}

/** The largest α in (0, maxAlpha] whose closed-form bound meets the budget (bisection: the bound grows with α). */
export function provenDriftAlpha(budget: FalseAlarmBudget, design: DriftWindowDesign, maxAlpha = DEFAULT_MAX_ALPHA): number {
  const allowed = allowedPerDay(budget);
  const within = (alpha: number) => falseDriftAlertsPerDay(alpha, design, budget.eventsPerDay) <= allowed;
  if (design.columns === 0 || within(maxAlpha)) return maxAlpha;
  let lo = 0;
  let hi = maxAlpha;
  // 60 halvings: α to 2^-60 of maxAlpha, far below any p-value the tests resolve.
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (within(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

export interface DriftCalibration {
  /** The per-column p-value threshold the drift windows use. */
  alpha: number;
  /** `bootstrap` on the reference's rows, or the closed form when there were too few rows (or none: a registered summary). */
  method: 'bootstrap' | 'closed-form';
  /** The bootstrapped false alerts per day at `alpha` (null for the closed form). */
  bootstrapAlertsPerDay: number | null;
  /** What it was calibrated for: a change of either needs a new calibration. */
  budget: FalseAlarmBudget;
  design: DriftWindowDesign;
}

export interface CalibrationOptions {
  /** Outer resamples (references). Default 10. */
  references?: number;
  /** Inner resamples (windows) per reference. Default 128. */
  windows?: number;
  seed?: number;
  maxAlpha?: number;
}

export const DEFAULT_CALIBRATION = { references: 10, windows: 128, seed: 14 } as const;

/** Resamples `size` rows of `rows` with replacement into a summary. */
function resample(rows: readonly Record<string, unknown>[], size: number, kinds: Record<string, ColumnKind>, rand: () => number): DatasetSummary {
  const out = new DatasetSummary(kinds);
  for (let i = 0; i < size; i++) out.addRow(rows[Math.floor(rand() * rows.length)]);
  return out;
}

/**
 * The window's critical α: it counts as drifted at threshold α iff this value < α.
 * −∞: drifted at any α (its distance-criterion columns suffice); +∞: never.
 */
function criticalAlpha(reference: DatasetSummary, window: DatasetSummary, design: DriftWindowDesign): number {
  // The adjusted p-values do not depend on the threshold, so one test run gives the whole curve.
  const drift = computeDatasetDrift(reference.columns, window.columns, { driftShareThreshold: design.driftShareThreshold, correction: design.correction });
  const tested = drift.columns.filter((c) => c.status === 'ok');
  const pValues = tested
    .filter((c) => c.criterion === 'p-value<threshold' && c.adjustedPValue !== null)
    .map((c) => c.adjustedPValue as number)
    .sort((a, b) => a - b);
  const byDistance = tested.filter((c) => c.criterion !== 'p-value<threshold' && c.drifted).length;
  const needed = Math.ceil(design.driftShareThreshold * tested.length - 1e-12) - byDistance;
  if (tested.length === 0) return Infinity;
  if (needed <= 0) return -Infinity;
  return needed > pValues.length ? Infinity : pValues[needed - 1];
}

/**
 * α for the budget, calibrated on the reference's rows by the double bootstrap above
 * (seeded: the same rows give the same α). With fewer rows than a window, the closed form.
 */
export function calibrateDriftAlpha(
  budget: FalseAlarmBudget,
  design: DriftWindowDesign,
  reference: { kinds: Record<string, ColumnKind>; rows: readonly Record<string, unknown>[] } | null,
  options: CalibrationOptions = {},
): DriftCalibration {
  const allowed = allowedPerDay(budget);
  const maxAlpha = options.maxAlpha ?? DEFAULT_MAX_ALPHA;
  const proven = provenDriftAlpha(budget, design, maxAlpha);
  if (!reference || reference.rows.length < design.driftWindow || design.columns === 0) {
    return { alpha: proven, method: 'closed-form', bootstrapAlertsPerDay: null, budget, design };
  }
  const { references, windows, seed } = { ...DEFAULT_CALIBRATION, ...options };
  const rand = mulberry32(seed);
  const critical: Float64Array[] = [];
  for (let b = 0; b < references; b++) {
    const resampled = resample(reference.rows, reference.rows.length, reference.kinds, rand);
    const c = new Float64Array(windows);
    for (let w = 0; w < windows; w++) c[w] = criticalAlpha(resampled, resample(reference.rows, design.driftWindow, reference.kinds, rand), design);
    critical.push(c.sort());
  }
  const windowsPerDay = budget.eventsPerDay / design.driftWindow;
  // E_R[q_R(α)^k]: q_R(α) = share of R's windows with critical value < α.
  const alertsPerDay = (alpha: number) => {
    let sum = 0;
    for (const c of critical) {
      let below = 0;
      while (below < c.length && c[below] < alpha) below++;
      sum += (below / c.length) ** design.driftPersistence;
    }
    return (windowsPerDay * sum) / critical.length;
  };
  // The rate only steps at the critical values: the largest candidate meeting the budget.
  const candidates = [...new Set(critical.flatMap((c) => [...c]))].filter((a) => a > 0 && a < proven).sort((a, b) => b - a);
  let alpha = proven;
  for (const a of [proven, ...candidates]) {
    alpha = a;
    if (alertsPerDay(a) <= allowed) break;
  }
  return { alpha, method: 'bootstrap', bootstrapAlertsPerDay: alertsPerDay(alpha), budget, design };
}
