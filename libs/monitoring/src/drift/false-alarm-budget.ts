/**
 * A false-alarm budget for `dataset_drift` ("at most `alerts` false drift alerts per `days`
 * days at `eventsPerDay` predictions a day"), turned into the per-column p-value threshold
 * α of the window tests, in the spirit of Alibi Detect's expected-run-time calibration.
 *
 * Closed form under the null (no drift), assuming the T p-value columns independent and
 * their p-values uniform (KS and χ² are conservative on ties, so the real rate is lower):
 *
 *   needed = max(1, ⌈s·T⌉) drifted columns for a drifted window (s = driftShareThreshold)
 *   q(α)   = P(Binomial(T, α) ≥ needed)   without a correction
 *   q(α)  ≤ α                            with holm or bh (both bound the family-wise error
 *                                         by α when every column is null)
 *   an episode needs k = driftPersistence drifted windows in a row: at most q^k per window,
 *   so false alerts per day ≤ (eventsPerDay / driftWindow) · q(α)^k.
 *
 * α is the largest value in (0, `maxAlpha`] whose bound is within the budget (bisection: q
 * grows with α). `maxAlpha` (default 0.05, Evidently's) keeps a loose budget from making the
 * tests less strict than the default.
 */
import type { DriftCorrection } from './multiple-testing';
import { logBinomial } from './special';

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

export function deriveDriftAlpha(budget: FalseAlarmBudget, design: DriftWindowDesign, maxAlpha = 0.05): number {
  if (!(budget.alerts > 0 && budget.days > 0 && budget.eventsPerDay > 0)) throw new RangeError('a false-alarm budget needs alerts, days and eventsPerDay > 0');
  const allowed = budget.alerts / budget.days;
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
