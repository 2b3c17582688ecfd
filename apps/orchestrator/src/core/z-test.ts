import { errorFunction } from 'simple-statistics';

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
 * Pooled two-proportion z-test, one-sided ("is the candidate's rate lower?"):
 * p = (x1 + x2) / (n1 + n2), z = (p1 − p2) / sqrt(p (1 − p) (1/n1 + 1/n2)),
 * p-value = 1 − Φ(z) = erfc(z / √2) / 2. (Any statistics text, e.g. Agresti,
 * "Categorical Data Analysis", §2.1.) Worked example in z-test.spec.ts.
 */
export function twoProportionZTest(baseline: ProportionSample, candidate: ProportionSample): TwoProportionZTest {
  if (baseline.trials <= 0 || candidate.trials <= 0) throw new RangeError('both samples need at least one trial');
  const baselineRate = baseline.successes / baseline.trials;
  const candidateRate = candidate.successes / candidate.trials;
  const pooled = (baseline.successes + candidate.successes) / (baseline.trials + candidate.trials);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / baseline.trials + 1 / candidate.trials));
  const drop = baselineRate - candidateRate;
  // Both samples all-correct (or all-wrong): no variance, no evidence of a difference.
  if (standardError === 0) return { baselineRate, candidateRate, drop, z: 0, pValue: 0.5 };
  const z = drop / standardError;
  return { baselineRate, candidateRate, drop, z, pValue: (1 - errorFunction(z / Math.SQRT2)) / 2 };
}
