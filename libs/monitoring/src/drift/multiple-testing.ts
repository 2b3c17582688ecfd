/**
 * Multiple-testing corrections for the p-values of the columns tested in one window, so
 * that testing 50 features does not give 50 chances to call a column drifted.
 *
 * Adjusted p-values as statsmodels' `multipletests` returns them (`pvals_corrected`):
 * with p₍₁₎ ≤ … ≤ p₍ₘ₎ sorted and m the family size,
 *
 *   Holm (family-wise error ≤ α):      p̃₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1) p₍ⱼ₎)
 *   Benjamini–Hochberg (FDR ≤ α):       p̃₍ᵢ₎ = min_{j ≥ i} min(1, m p₍ⱼ₎ / j)
 *
 * A column is then drifted when p̃ < its threshold (Evidently's strict rule; statsmodels
 * rejects at p̃ ≤ α, which differs only on the boundary).
 */
export const DRIFT_CORRECTIONS = ['none', 'holm', 'bh'] as const;
export type DriftCorrection = (typeof DRIFT_CORRECTIONS)[number];

/** Adjusted p-values in the input's order; `none` returns a copy. */
export function adjustPValues(pValues: readonly number[], method: DriftCorrection): number[] {
  const m = pValues.length;
  if (method === 'none' || m === 0) return [...pValues];
  for (const p of pValues) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`p-value ${p} is not in [0, 1]`);
  }
  // Stable sort by p so ties keep their input order (either order gives the same values).
  const order = pValues.map((_, i) => i).sort((a, b) => pValues[a] - pValues[b] || a - b);
  const adjusted = new Array<number>(m);
  if (method === 'holm') {
    let running = 0;
    order.forEach((idx, rank) => {
      running = Math.max(running, Math.min(1, (m - rank) * pValues[idx]));
      adjusted[idx] = running;
    });
  } else {
    let running = 1;
    for (let rank = m - 1; rank >= 0; rank--) {
      const idx = order[rank];
      running = Math.min(running, Math.min(1, (m * pValues[idx]) / (rank + 1)));
      adjusted[idx] = running;
    }
  }
  return adjusted;
}
