/**
 * The one two-proportion z-test of Vigil, on the one normal tail (`normalSf` of
 * drift/special.ts, pinned to scipy.stats.norm.sf in the spec beside this file).
 * The orchestrator's rollback decision uses the one-sided test; the drift registry's
 * `z` test is the same pooled statistic, two-sided.
 */
import { normalSf } from '../drift/special';

export interface ProportionSample {
  /** Successes, e.g. correctly classified labelled predictions. */
  successes: number;
  /** Trials, e.g. labelled predictions. */
  trials: number;
}

export interface TwoProportionZTest {
  baselineRate: number;
  candidateRate: number;
  /** baselineRate − candidateRate: positive when the candidate is worse. */
  drop: number;
  z: number;
  /** One-sided P(Z ≥ z) under "the candidate is not worse than the baseline". */
  pValue: number;
}

/**
 * Pooled two-proportion z statistic: p = (x1 + x2) / (n1 + n2),
 * z = (p1 − p2) / sqrt(p (1 − p) (1/n1 + 1/n2)) (Agresti, "Categorical Data Analysis",
 * §2.1; statsmodels `proportions_ztest` with the pooled variance). Both samples
 * all-successes (or all-failures) have no variance and no evidence of a difference: z = 0.
 */
export function pooledProportionZ(baseline: ProportionSample, candidate: ProportionSample): number {
  if (baseline.trials <= 0 || candidate.trials <= 0) throw new RangeError('both samples need at least one trial');
  const pooled = (baseline.successes + candidate.successes) / (baseline.trials + candidate.trials);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / baseline.trials + 1 / candidate.trials));
  if (standardError === 0) return 0;
  return (baseline.successes / baseline.trials - candidate.successes / candidate.trials) / standardError;
}

/**
 * One-sided pooled two-proportion z-test ("is the candidate's rate lower?"):
 * p-value = P(Z ≥ z) = norm.sf(z). Worked examples in the spec.
 */
export function twoProportionZTest(baseline: ProportionSample, candidate: ProportionSample): TwoProportionZTest {
  const z = pooledProportionZ(baseline, candidate);
  const baselineRate = baseline.successes / baseline.trials;
  const candidateRate = candidate.successes / candidate.trials;
  return { baselineRate, candidateRate, drop: baselineRate - candidateRate, z, pValue: normalSf(z) };
}
