// Test helpers (not exported from index): fixture loading and tolerance checks.
import { CategoricalSummary, ColumnSummary, NumericSummary } from './summary';
import { mulberry32 } from '../random';

export function summarise(kind: 'numeric' | 'categorical', values: unknown[], capacity?: number): ColumnSummary {
  return kind === 'numeric' ? NumericSummary.of(values, { capacity }) : CategoricalSummary.of(values);
}

/** |actual − expected| ≤ tol · max(1, |expected|): absolute near 0, relative for large values. */
export function expectClose(actual: number | null, expected: number | string, tol: number, label = ''): void {
  const e = expected === 'Infinity' ? Infinity : (expected as number);
  if (actual === null) throw new Error(`${label}: got null, expected ${e}`);
  if (e === Infinity || actual === Infinity) {
    if (actual !== e) throw new Error(`${label}: got ${actual}, expected ${e}`);
    return;
  }
  const err = Math.abs(actual - e);
  if (!(err <= tol * Math.max(1, Math.abs(e)))) {
    throw new Error(`${label}: got ${actual}, expected ${e} (error ${err} > tolerance ${tol})`);
  }
}

/** Same transforms as `large_sample` in the generator. */
export function largeSample(seed: number, n: number, shape: string, shift: number): Float64Array {
  const rnd = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = rnd();
    if (shape === 'uniform') out[i] = u + shift;
    else if (shape === 'triangular') out[i] = u + rnd() + shift;
    else out[i] = 1 / (1 - u) - 1 + shift;
  }
  return out;
}
