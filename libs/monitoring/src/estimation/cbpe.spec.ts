import binary from '../../fixtures/cbpe-binary.json';
import multiclass from '../../fixtures/cbpe-multiclass.json';
import { BinaryCbpe, CBPE_METRICS, CbpeEstimate, CbpeMetric, estimateRocAuc, MulticlassCbpe, SAMPLING_ERROR_RANGE } from './cbpe';
import { IsotonicCalibrator } from './isotonic';

// Reference values: tools/fixtures/gen_cbpe_fixtures.py (NannyML 0.13.1 CBPE, isotonic
// calibration, chunks of 500 on seeded, over-confident scores under covariate shift).
// Tolerance, absolute: 1e-12 for accuracy, precision, recall and F1 (both sides run the
// same float64 arithmetic: isotonic PAV fit, expected confusion counts, NannyML's
// sampling-error formulas; measured differences ≤ 1e-15, summation order). 1e-7 for ROC AUC
// and its sampling error: the scores are rounded to 6 decimals, so some tie (saturated
// sigmoids), and NumPy's argsort (quicksort, not stable) orders tied scores differently from
// JavaScript's stable sort; through NannyML's 5-decimal rounding of cumulative counts (value)
// and the positives' ranks (sampling error) the order within a tie moves the result by up to
// 5e-8 on these fixtures.
const TOLERANCE: Record<CbpeMetric, number> = { accuracy: 1e-12, precision: 1e-12, recall: 1e-12, f1: 1e-12, roc_auc: 1e-7 };

type Fixture = { estimates: Record<string, { value: number; sampling_error: number; lower: number; upper: number }>[] };

function expectMatches(actual: CbpeEstimate[], fixture: Fixture): void {
  expect(actual).toHaveLength(fixture.estimates.length);
  actual.forEach((window, w) => {
    for (const metric of CBPE_METRICS) {
      const expected = fixture.estimates[w][metric];
      const got = window[metric];
      const tolerance = TOLERANCE[metric];
      const off = (a: number, b: number, scale = 1): number => (Math.abs(a - b) <= tolerance * scale ? 0 : a - b);
      // A bound is value ± 3 sampling errors, so its tolerance is (1 + 3) times the metric's.
      const bound = 1 + SAMPLING_ERROR_RANGE;
      expect({
        window: w,
        metric,
        value: off(got.value, expected.value),
        samplingError: off(got.samplingError, expected.sampling_error),
        lower: off(got.lower, expected.lower, bound),
        upper: off(got.upper, expected.upper, bound),
      }).toEqual({ window: w, metric, value: 0, samplingError: 0, lower: 0, upper: 0 });
    }
  });
}

describe('IsotonicCalibrator', () => {
  it('pools adjacent violators and interpolates between the fitted points (hand computation)', () => {
    // Scores 1,2,3,4 with outcomes 0,1,0,1: the violating pair (1, 0) at scores 2,3 pools to 0.5.
    const calibrator = IsotonicCalibrator.fit([1, 2, 3, 4], [0, 1, 0, 1]);
    expect([1, 2, 3, 4].map((s) => calibrator.calibrate(s))).toEqual([0, 0.5, 0.5, 1]);
    // Between the fitted points 1 → 0 and 2 → 0.5: linear, 1.5 → 0.25; outside the reference range: clipped.
    expect(calibrator.calibrate(1.5)).toBe(0.25);
    expect(calibrator.calibrate(-3)).toBe(0);
    expect(calibrator.calibrate(9)).toBe(1);
  });

  it('keeps only the ends of each run of equal fitted values in JSON, and calibrates every score to the same bits after the round trip', () => {
    // Outcomes 0,0,0,1,1,1 at scores 1..6 are already monotone: two runs (0 at 1–3, 1 at 4–6), so the points 1, 3, 4 and 6 are kept.
    const calibrator = IsotonicCalibrator.fit([1, 2, 3, 4, 5, 6], [0, 0, 0, 1, 1, 1]);
    expect(calibrator.toJSON()).toEqual({ xs: [1, 3, 4, 6], ys: [0, 0, 1, 1] });
    const fitted = IsotonicCalibrator.fit(binary.reference.score, binary.reference.label);
    const restored = IsotonicCalibrator.fromJSON(JSON.parse(JSON.stringify(fitted.toJSON())));
    const probes = [...binary.reference.score, ...binary.analysis.flatMap((w) => w.score), -1, 2];
    expect(probes.filter((s) => !Object.is(restored.calibrate(s), fitted.calibrate(s)))).toEqual([]);
    // The NannyML fixture's 2 000-row reference fits to far fewer distinct runs than points.
    expect(fitted.toJSON().xs.length).toBeLessThan(binary.reference.score.length / 4);
  });

  it('merges tied scores into their mean outcome (scikit-learn _make_unique)', () => {
    const calibrator = IsotonicCalibrator.fit([0.2, 0.2, 0.2, 0.8], [0, 0, 1, 1]);
    expect(calibrator.calibrate(0.2)).toBeCloseTo(1 / 3, 15);
  });
});

describe('estimateRocAuc', () => {
  it('is 1 when calibrated probabilities are certain and ordered as the scores (hand computation)', () => {
    expect(estimateRocAuc([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1])).toBe(1);
  });
});

describe('BinaryCbpe against NannyML 0.13.1', () => {
  it('matches estimated accuracy, precision, recall, F1, ROC AUC, sampling errors and bands per window', () => {
    expect(binary.needs_calibration).toBe(true);
    const estimator = BinaryCbpe.fit({ scores: binary.reference.score, predictions: binary.reference.pred, labels: binary.reference.label });
    expectMatches(
      binary.analysis.map((w) => estimator.estimate({ scores: w.score, predictions: w.pred })),
      binary,
    );
  });

  it('estimates the same bits after a JSON round trip of the fitted estimator', () => {
    const estimator = BinaryCbpe.fit({ scores: binary.reference.score, predictions: binary.reference.pred, labels: binary.reference.label });
    const restored = BinaryCbpe.fromJSON(JSON.parse(JSON.stringify(estimator.toJSON())));
    for (const w of binary.analysis) expect(restored.estimate({ scores: w.score, predictions: w.pred })).toEqual(estimator.estimate({ scores: w.score, predictions: w.pred }));
  });

  it('rejects a reference whose columns differ in length', () => {
    expect(() => BinaryCbpe.fit({ scores: [0.1, 0.9], predictions: [0], labels: [0, 1] })).toThrow(RangeError);
  });
});

describe('MulticlassCbpe against NannyML 0.13.1', () => {
  it('matches the one-vs-rest macro estimates, sampling errors and bands per window', () => {
    expect(Object.values(multiclass.needs_calibration)).toEqual([true, true, true]);
    const index = (c: string): number => multiclass.classes.indexOf(c);
    const estimator = MulticlassCbpe.fit(
      { scores: multiclass.reference.scores, predictions: multiclass.reference.pred.map(index), labels: multiclass.reference.label.map(index) },
      3,
    );
    expectMatches(
      multiclass.analysis.map((w) => estimator.estimate({ scores: w.scores, predictions: w.pred.map(index) })),
      multiclass,
    );
    const restored = MulticlassCbpe.fromJSON(JSON.parse(JSON.stringify(estimator.toJSON())));
    for (const w of multiclass.analysis) {
      expect(restored.estimate({ scores: w.scores, predictions: w.pred.map(index) })).toEqual(estimator.estimate({ scores: w.scores, predictions: w.pred.map(index) }));
    }
  });
});
