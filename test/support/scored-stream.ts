// A calibrated binary classifier under covariate shift, shared by the CBPE specs, the
// estimation e2e suite and bench:estimation: its score is the true P(fraud) = sigmoid(z),
// with z ~ N(0, 3) before `onset` (confident, accuracy ≈ 0.86) and z ~ N(0, 0.7) after it
// by default (uncertain, accuracy ≈ 0.62), and P(y | z) unchanged: no concept drift, so
// CBPE's assumption holds.
import { gaussian, mulberry32 } from '@vigil/monitoring';

export interface ScoredEvent {
  score: number;
  predictedClass: 'fraud' | 'legit';
  trueClass: 'fraud' | 'legit';
}

export function covariateShiftStream(seed: number, n: number, onset: number, spread = { before: 3, after: 0.7 }): ScoredEvent[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const z = gaussian(rand) * (i < onset ? spread.before : spread.after);
    const p = 1 / (1 + Math.exp(-z));
    const trueClass = rand() < p ? 'fraud' : 'legit';
    return { score: p, predictedClass: p >= 0.5 ? 'fraud' : 'legit', trueClass };
  });
}

/** The event's class scores as a prediction event carries them. */
export const scoresOf = (e: ScoredEvent): Record<string, number> => ({ fraud: e.score, legit: 1 - e.score });
