/**
 * Special functions needed by the drift tests: log-gamma, the regularised
 * incomplete gamma functions, and the chi-square and normal survival functions.
 *
 * Reference implementations: scipy.special.gammaln, gammaincc, scipy.stats.chi2.sf,
 * scipy.stats.norm.sf. Pinned in special.spec.ts against values from
 * tools/fixtures/gen_drift_fixtures.py (relative tolerance 1e-12).
 *
 * Algorithms: Lanczos approximation (g = 7, 9 terms) for lnΓ below 10 and the
 * Stirling series above; series expansion of P(a, x) for x < a + 1 and the
 * modified-Lentz continued fraction of Q(a, x) otherwise (Numerical Recipes §6.2).
 * Computing Q directly by the continued fraction keeps relative accuracy in the
 * far tail, which is where drift p-values live.
 */

const LANCZOS_G = 7;
const LANCZOS_COEFFS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Natural log of Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) return x === 0 ? Infinity : NaN;
  if (x < 0.5) {
    // Reflection keeps the Lanczos sum in its accurate range.
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  if (x >= 10) {
    // Stirling series: error below 1e-16 relative for x >= 10.
    const r = 1 / x;
    const r2 = r * r;
    const series = r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 * (1 / 1680 - r2 * (1 / 1188)))));
    return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + series;
  }
  const xm1 = x - 1;
  let sum = LANCZOS_COEFFS[0];
  const t = xm1 + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS_COEFFS.length; i++) sum += LANCZOS_COEFFS[i] / (xm1 + i);
  return HALF_LOG_2PI + (xm1 + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln C(n, k) for real n ≥ k ≥ 0. */
export function logBinomial(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/** ln B(a, b) for a, b > 0. */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/**
 * P(K ≥ k) for K ~ BetaBinomial(n, a, b): P(K = x) = C(n, x) B(x + a, n − x + b) / B(a, b).
 * Above the mean the upper tail is summed directly (it keeps its relative accuracy when
 * tiny, and its terms fall past the mode: the loop stops once they no longer count);
 * below it, 1 − P(K < k).
 */
export function betaBinomialSf(k: number, n: number, a: number, b: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  const logPmf = (x: number) => logBinomial(n, x) + logBeta(x + a, n - x + b) - logBeta(a, b);
  let sum = 0;
  if (k > (n * a) / (a + b)) {
    for (let x = k; x <= n; x++) {
      const term = Math.exp(logPmf(x));
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return Math.min(1, sum);
  }
  for (let x = 0; x < k; x++) sum += Math.exp(logPmf(x));
  return Math.max(0, 1 - sum);
}

const EPS = 1e-16;
const TINY = 1e-300;
const MAX_ITER = 10_000;

function lowerGammaSeries(a: number, x: number): number {
  // P(a, x) = x^a e^-x / Γ(a+1) · Σ x^n / ((a+1)…(a+n))
  let ap = a;
  let del = 1 / a;
  let sum = del;
  for (let n = 0; n < MAX_ITER; n++) {
    ap += 1;
    del *= x / ap;
    sum += del;
    if (Math.abs(del) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

function upperGammaContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** Regularised lower incomplete gamma P(a, x) (scipy.special.gammainc). */
export function regularizedGammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  if (x === Infinity) return 1;
  return x < a + 1 ? lowerGammaSeries(a, x) : 1 - upperGammaContinuedFraction(a, x);
}

/** Regularised upper incomplete gamma Q(a, x) = 1 − P(a, x) (scipy.special.gammaincc). */
export function regularizedGammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - lowerGammaSeries(a, x) : upperGammaContinuedFraction(a, x);
}

/** Survival function of the chi-square distribution (scipy.stats.chi2.sf). */
export function chiSquareSf(x: number, degreesOfFreedom: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 0;
  return regularizedGammaQ(degreesOfFreedom / 2, x / 2);
}

/** Complementary error function, via erfc(x) = Q(1/2, x²) for x ≥ 0. */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  return regularizedGammaQ(0.5, x * x);
}

/** Survival function of the standard normal distribution (scipy.stats.norm.sf). */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** CDF of the standard normal distribution (scipy.stats.norm.cdf). */
export function normalCdf(z: number): number {
  return normalSf(-z);
}
