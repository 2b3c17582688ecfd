/**
 * Null distribution of the two-sample Kolmogorov–Smirnov statistic, two-sided.
 *
 * Reference implementation: scipy.stats.ks_2samp(method='auto') in scipy 1.17
 * (`scipy/stats/_stats_py.py`, `_stats_pythran.py`, `_ksstats.py`):
 * - exact when max(n1, n2) ≤ 10 000: the lattice-path count of Hodges (1958)
 *   (`_compute_prob_outside_square` when n1 = n2, otherwise the "inside method"
 *   with Viehmann's 1−p recursion, `_compute_outer_prob_inside_method`);
 *   if that under/overflows, scipy falls back to the asymptotic form, and so do we;
 * - otherwise "asymptotic": the one-sample Kolmogorov distribution
 *   `kstwo.sf(d, round(n1·n2/(n1+n2)))`, itself computed as scipy's `kolmogn`
 *   (Simard & L'Ecuyer 2011): Ruben–Gambino at the ends, 2·smirnov for the upper
 *   tail, the Durbin matrix (Marsaglia–Tsang–Wang) or Pelz–Good in the middle,
 *   Pomeranz for small n (kolmogorov-distribution.ts).
 */
import { clip01, kolmogorovSf } from './kolmogorov-distribution';

export const KS_MAX_EXACT_N = 10_000;

export interface KsPValue {
  pValue: number;
  method: 'exact' | 'asymptotic';
  /** The statistic as scipy reports it (rounded to the lattice in exact mode). */
  statistic: number;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
    k -= 1;
  }
  return 2 * p;
}

function outerProbInsideMethod(m0: number, n0: number, g: number, h: number): number {
  let m = m0;
  let n = n0;
  if (m < n) [m, n] = [n, m];
  const mg = Math.floor(m / g);
  const ng = Math.floor(n / g);
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const a = new Float64Array(lenA).fill(1);
  for (let j = minj; j < maxj; j++) a[j] = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0);
    minj = Math.min(minj, n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (a[jj + minj - lastminj] * i + val * j) / (i + j);
      a[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) {
      for (let t = maxj - minj; t < maxj - minj + (lastlen - curlen) && t < lenA; t++) a[t] = 1;
    }
  }
  return a[maxj - minj - 1];
}

/** Two-sided two-sample KS p-value, the same switch as scipy's method='auto'. */
export function ks2SampPValue(n1: number, n2: number, d: number): KsPValue {
  if (n1 <= 0 || n2 <= 0) throw new RangeError('KS needs two non-empty samples');
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = Math.round(d * lcm);
    const dLattice = h / lcm;
    if (h === 0) return { pValue: 1, method: 'exact', statistic: dLattice };
    const p = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInsideMethod(n1, n2, g, h);
    if (Number.isFinite(p) && p >= 0 && p <= 1) {
      return { pValue: p, method: 'exact', statistic: dLattice };
    }
    d = dLattice;
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  // numpy rounds half to even.
  return { pValue: clip01(kolmogorovSf(roundHalfEven(en), d)), method: 'asymptotic', statistic: d };
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
