import { binomialSf, deriveDriftAlpha, falseDriftAlertsPerDay, nullWindowDriftProbability } from './false-alarm-budget';

// 4 columns, drifted share ≥ 0.5 (2 columns), 2 windows in a row, 500 predictions a window,
// 86 400 predictions a day (1 a second): 172.8 windows a day.
const design = { driftWindow: 500, driftPersistence: 2, columns: 4, driftShareThreshold: 0.5, correction: 'none' as const };
const budget = { alerts: 1, days: 30, eventsPerDay: 86_400 };

describe('false-alarm budget', () => {
  it('binomialSf matches scipy.stats.binom.sf', () => {
    // scipy 1.17.1: binom.sf(1, 4, 0.05), binom.sf(9, 20, 0.05), binom.sf(0, 20, 0.01).
    expect(binomialSf(2, 4, 0.05)).toBeCloseTo(0.014018749999999998, 15);
    expect(binomialSf(10, 20, 0.05) / 1.1340718060930296e-8).toBeCloseTo(1, 10);
    expect(binomialSf(1, 20, 0.01)).toBeCloseTo(0.18209306240276915, 14);
    expect([binomialSf(0, 3, 0.2), binomialSf(4, 3, 0.2)]).toEqual([1, 0]);
  });

  it('bounds a null window by P(≥ ⌈s·T⌉ of T columns below α), or α with a correction', () => {
    expect(nullWindowDriftProbability(0.05, design)).toBeCloseTo(0.01401875, 15);
    expect(nullWindowDriftProbability(0.05, { ...design, correction: 'holm' })).toBe(0.05);
    // 172.8 windows a day × 0.01401875² = 0.033960 false alerts a day (hand computation).
    expect(falseDriftAlertsPerDay(0.05, design, 86_400)).toBeCloseTo(172.8 * 0.01401875 ** 2, 12);
  });

  it('derives the α whose bound meets the budget exactly (no correction)', () => {
    // scipy.optimize.brentq on 172.8 · binom.sf(1, 4, α)² = 1/30: α = 0.049759665625095345
    const alpha = deriveDriftAlpha(budget, design);
    expect(alpha).toBeCloseTo(0.049759665625095345, 12);
    expect(falseDriftAlertsPerDay(alpha, design, 86_400)).toBeLessThanOrEqual(1 / 30);
  });

  it('with holm the bound is 172.8 α² = 1/30, so α = √(1 / 5184) = 0.013889', () => {
    expect(deriveDriftAlpha(budget, { ...design, correction: 'holm' })).toBeCloseTo(Math.sqrt(1 / (30 * 172.8)), 12);
  });

  it('never loosens the tests beyond maxAlpha, and refuses an empty budget', () => {
    expect(deriveDriftAlpha({ alerts: 100, days: 1, eventsPerDay: 86_400 }, design)).toBe(0.05);
    expect(() => deriveDriftAlpha({ alerts: 0, days: 30, eventsPerDay: 86_400 }, design)).toThrow(RangeError);
  });
});
