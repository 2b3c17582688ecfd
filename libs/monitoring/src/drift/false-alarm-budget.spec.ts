import { mulberry32 } from '../random';
import { binomialSf, calibrateDriftAlpha, falseDriftAlertsPerDay, nullWindowDriftProbability, provenDriftAlpha } from './false-alarm-budget';

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
    const alpha = provenDriftAlpha(budget, design);
    expect(alpha).toBeCloseTo(0.049759665625095345, 12);
    expect(falseDriftAlertsPerDay(alpha, design, 86_400)).toBeLessThanOrEqual(1 / 30);
  });

  it('with holm the bound is 172.8 α² = 1/30, so α = √(1 / 5184) = 0.013889', () => {
    expect(provenDriftAlpha(budget, { ...design, correction: 'holm' })).toBeCloseTo(Math.sqrt(1 / (30 * 172.8)), 12);
  });

  it('never loosens the tests beyond maxAlpha, and refuses an empty budget', () => {
    expect(provenDriftAlpha({ alerts: 100, days: 1, eventsPerDay: 86_400 }, design)).toBe(0.05);
    expect(() => provenDriftAlpha({ alerts: 0, days: 30, eventsPerDay: 86_400 }, design)).toThrow(RangeError);
  });

  describe('calibrateDriftAlpha (double bootstrap on the reference rows)', () => {
    // A SEA-like reference: x0, x1, x2 ~ U(0, 10) and the prediction x0 + x1 ≤ 8 (a function of two features).
    const rand = mulberry32(7);
    const rows = Array.from({ length: 1000 }, () => {
      const [x0, x1, x2] = [10 * rand(), 10 * rand(), 10 * rand()];
      return { x0, x1, x2, prediction: x0 + x1 <= 8 ? '1' : '0' };
    });
    const kinds = { x0: 'numeric', x1: 'numeric', x2: 'numeric', prediction: 'categorical' } as const;
    const daily = { alerts: 2, days: 1, eventsPerDay: 86_400 };
    const oneWindowDesign = { ...design, driftPersistence: 1 };

    it('falls back to the closed form without rows or with fewer rows than a window', () => {
      const proven = provenDriftAlpha(daily, oneWindowDesign);
      expect(calibrateDriftAlpha(daily, oneWindowDesign, null)).toMatchObject({ alpha: proven, method: 'closed-form', bootstrapAlertsPerDay: null });
      expect(calibrateDriftAlpha(daily, oneWindowDesign, { kinds, rows: rows.slice(0, 499) })).toMatchObject({ alpha: proven, method: 'closed-form' });
    });

    it('picks the largest α whose bootstrapped rate meets the budget, never above the closed form, the same on every run', () => {
      const options = { references: 4, windows: 32 };
      const c = calibrateDriftAlpha(daily, oneWindowDesign, { kinds, rows }, options);
      expect(c.method).toBe('bootstrap');
      expect(c.alpha).toBeLessThanOrEqual(provenDriftAlpha(daily, oneWindowDesign));
      expect(c.bootstrapAlertsPerDay!).toBeLessThanOrEqual(2);
      expect(calibrateDriftAlpha(daily, oneWindowDesign, { kinds, rows }, options)).toEqual(c);
      // A budget so loose that every window may drift: the closed form's α (= maxAlpha 0.05) is kept.
      expect(calibrateDriftAlpha({ alerts: 1000, days: 1, eventsPerDay: 86_400 }, oneWindowDesign, { kinds, rows }, options).alpha).toBe(0.05);
    });

    it('a budget of 0 of 32 windows per reference: α is the smallest critical value, so no bootstrapped window drifts', () => {
      // 1 window of 32 per reference would be 172.8/32 = 5.4 alerts a day: a budget of 1 a day allows none.
      const c = calibrateDriftAlpha({ alerts: 1, days: 1, eventsPerDay: 86_400 }, oneWindowDesign, { kinds, rows }, { references: 4, windows: 32 });
      expect(c.bootstrapAlertsPerDay).toBe(0);
      expect(c.alpha).toBeGreaterThan(0);
    });
  });
});
