import { ALERT_RULES, severityOf } from '@vigil/contracts';
import { EVENT_T0 } from '../../../../../test/support/events';
import { DEFAULT_MODEL_CONFIG } from '../model-config';
import { EstimatedAccuracy, EstimatedAccuracyDropRule, EstimatedPerformanceState } from './estimated-accuracy-drop';

const at = (i: number) => EVENT_T0 + i * 1000;
const estimate = (value: number, samplingError: number, i = 0): EstimatedAccuracy => ({
  accuracy: { value, samplingError, lower: value - 3 * samplingError, upper: value + 3 * samplingError },
  windowStart: at(i),
  windowEnd: at(i + 499),
  sampleSize: 500,
});
const config = { ...DEFAULT_MODEL_CONFIG, maxEstimatedAccuracyDrop: 0.1, clearMargin: 0.02 };
const reference = { value: 0.9, sampleSize: 2000 };
const verdict = (state: EstimatedPerformanceState, rule = new EstimatedAccuracyDropRule(config)) =>
  rule
    .evaluate(state, at(0))
    .map((v) => `${v.rule}:${v.firing ? 'firing' : v.cleared ? 'cleared' : 'neither'}`)
    .join();

describe('EstimatedAccuracyDropRule (hand-computed thresholds)', () => {
  // Reference accuracy 0.9, drop 0.1: threshold T = 0.8; cleared at ≥ 0.8 + 0.02 = 0.82.
  it('fires when the estimate is below the threshold and its whole band below the reference accuracy', () => {
    expect(verdict({ referenceAccuracy: reference, estimate: estimate(0.75, 0.02) })).toBe('estimated_accuracy_drop:firing'); // 0.75 < 0.8, upper 0.81 < 0.9
    // A band too wide to tell: 0.75 < 0.8 but upper 0.75 + 3 × 0.06 = 0.93 ≥ 0.9.
    expect(verdict({ referenceAccuracy: reference, estimate: estimate(0.75, 0.06) })).toBe('estimated_accuracy_drop:neither');
    expect(verdict({ referenceAccuracy: reference, estimate: estimate(0.81, 0.01) })).toBe('estimated_accuracy_drop:neither'); // 0.81 ≥ 0.8 but < 0.82
    expect(verdict({ referenceAccuracy: reference, estimate: estimate(0.83, 0.02) })).toBe('estimated_accuracy_drop:cleared'); // 0.83 ≥ 0.82
  });

  it('is silent before the calibration reference or the first estimate, and when switched off', () => {
    expect(verdict({ referenceAccuracy: null, estimate: estimate(0.1, 0.01) })).toBe('');
    expect(verdict({ referenceAccuracy: reference, estimate: null })).toBe('');
    expect(verdict({ referenceAccuracy: reference, estimate: estimate(0.1, 0.01) }, new EstimatedAccuracyDropRule({ ...config, maxEstimatedAccuracyDrop: null }))).toBe('');
  });

  it('carries the estimate, its threshold and the reference accuracy as evidence', () => {
    const [v] = new EstimatedAccuracyDropRule(config).evaluate({ referenceAccuracy: reference, estimate: estimate(0.7, 0.02, 10) }, at(600));
    const { message, evidence } = v.evidence();
    expect(message).toBe('estimated accuracy 0.700 (band 0.640–0.760) over the last 500 predictions vs reference accuracy 0.900 (2000 labels): below 0.800');
    expect(evidence).toEqual([
      {
        metric: 'estimated_accuracy',
        value: 0.7,
        threshold: 0.9 - 0.1,
        baseline: 0.9,
        feature: null,
        windowStart: new Date(at(10)),
        windowEnd: new Date(at(509)),
        sampleSize: 500,
      },
    ]);
  });

  it('is a WARNING until it persists, then CRITICAL, which is what counts toward a retrain (ALERT_RULES)', () => {
    expect(ALERT_RULES.estimated_accuracy_drop.kind).toBe('PERFORMANCE');
    expect([1, 2, 3].map((n) => severityOf('estimated_accuracy_drop', n))).toEqual(['WARNING', 'CRITICAL', 'CRITICAL']);
    expect(ALERT_RULES.estimated_accuracy_drop.retrainFrom).toBe('CRITICAL');
  });
});
