import { EVENT_T0 } from '../../../../test/support/events';
import { covariateShiftStream, scoresOf } from '../../../../test/support/scored-stream';
import { EstimatedPerformance, estimatedSnapshotMetrics, ScoredPrediction } from './estimated-performance';
import { DEFAULT_MODEL_CONFIG } from './model-config';
import type { Baseline } from './monitor-state';
import { RollingPerformance } from './rolling-performance';
import { EstimatedAccuracyDropRule } from './rules/estimated-accuracy-drop';
import { firstFullWindow } from './rules/performance';
import { PerformanceDropRule } from './rules/performance-drop';

const at = (i: number) => EVENT_T0 + i * 1000;

/** The shared covariate-shift stream (test/support/scored-stream.ts) as the tracker reads it. */
function stream(seed: number, n: number, onset: number): { prediction: ScoredPrediction; trueClass: string }[] {
  return covariateShiftStream(seed, n, onset).map((e, i) => ({ prediction: { scores: scoresOf(e), predictedClass: e.predictedClass, time: at(i) }, trueClass: e.trueClass }));
}

describe('EstimatedPerformance', () => {
  it('estimates nothing before its calibration reference is complete, then one estimate per window', () => {
    const tracker = new EstimatedPerformance({ referenceSize: 200, window: 100, calibration: 'isotonic' });
    const events = stream(1, 600, 10_000);
    events.slice(0, 199).forEach((e) => tracker.observeLabelled(e.prediction, e.trueClass));
    expect(tracker.observePrediction(events[199].prediction)).toBeNull();
    expect(tracker.state().referenceAccuracy).toBeNull();
    tracker.observeLabelled(events[199].prediction, events[199].trueClass);
    expect(tracker.state().referenceAccuracy?.sampleSize).toBe(200);
    const estimates = events.slice(200, 400).map((e) => tracker.observePrediction(e.prediction));
    // Windows of 100: the 100th and the 200th predictions complete one each.
    expect(estimates.map((e, i) => (e === null ? null : i))).toEqual(estimates.map((_, i) => (i === 99 || i === 199 ? i : null)));
    expect(estimates[199]).toMatchObject({ sampleSize: 100, windowStart: at(300), windowEnd: at(399) });
  });

  it('names snapshot metrics estimated_<metric> with their band, leaving out undefined ones', () => {
    const m = (value: number) => ({ value, samplingError: 0.01, lower: value - 0.03, upper: value + 0.03 });
    expect(estimatedSnapshotMetrics({ accuracy: m(0.8), precision: m(0.7), recall: m(0.6), f1: m(0.5), roc_auc: m(Number.NaN) })).toEqual({
      estimated_accuracy: 0.8,
      estimated_accuracy_lower: 0.8 - 0.03,
      estimated_accuracy_upper: 0.8 + 0.03,
      estimated_precision: 0.7,
      estimated_precision_lower: 0.7 - 0.03,
      estimated_precision_upper: 0.7 + 0.03,
      estimated_recall: 0.6,
      estimated_recall_lower: 0.6 - 0.03,
      estimated_recall_upper: 0.6 + 0.03,
      estimated_f1: 0.5,
      estimated_f1_lower: 0.5 - 0.03,
      estimated_f1_upper: 0.5 + 0.03,
    });
  });

  it('does not estimate a prediction without a score for every class', () => {
    const tracker = new EstimatedPerformance({ referenceSize: 2, window: 1, calibration: 'none' });
    tracker.observeLabelled({ scores: { a: 0.9, b: 0.1 }, predictedClass: 'a', time: at(0) }, 'a');
    tracker.observeLabelled({ scores: { a: 0.2, b: 0.8 }, predictedClass: 'b', time: at(1) }, 'a');
    expect(tracker.observePrediction({ scores: { a: 0.7 }, predictedClass: 'a', time: at(2) })).toBeNull();
    expect(tracker.unscored).toBe(1);
    // Uncalibrated: the estimated accuracy of one prediction of class a scored 0.7 is 0.7.
    expect(tracker.observePrediction({ scores: { a: 0.7, b: 0.3 }, predictedClass: 'a', time: at(3) })?.accuracy.value).toBeCloseTo(0.7, 12);
  });

  it('with labels lagging, the estimated alert comes before the realised one (covariate shift, 5 seeds)', () => {
    const config = { ...DEFAULT_MODEL_CONFIG, metricWindow: 500, minLabels: 200, maxAccuracyDrop: 0.1, maxEstimatedAccuracyDrop: 0.1, clearMargin: 0.02 };
    const onset = 7000;
    const labelLag = 3000; // a label arrives 3000 predictions after its prediction (chargebacks come weeks later)
    for (const seed of [11, 12, 13, 14, 15]) {
      const events = stream(seed, 14_000, onset);
      const tracker = new EstimatedPerformance({ referenceSize: 2000, window: 500, calibration: 'isotonic' });
      const estimatedRule = new EstimatedAccuracyDropRule(config);
      const realisedRule = new PerformanceDropRule(config);
      const window = new RollingPerformance('CLASSIFICATION', config.metricWindow);
      let baseline: Baseline | null = null;
      let estimatedAt = null as number | null;
      let realisedAt = null as number | null;
      events.forEach((e, i) => {
        // The label of prediction i − lag arrives with prediction i.
        if (i >= labelLag) {
          const labelled = events[i - labelLag];
          tracker.observeLabelled(labelled.prediction, labelled.trueClass);
          window.add([labelled.prediction.predictedClass, labelled.trueClass, labelled.prediction.time]);
          baseline ??= firstFullWindow(window, config);
          if (realisedAt === null && realisedRule.evaluate({ task: 'CLASSIFICATION', window, baseline }, at(i)).some((v) => v.firing)) realisedAt = i;
        }
        if (tracker.observePrediction(e.prediction) && estimatedAt === null && estimatedRule.evaluate(tracker.state(), at(i)).some((v) => v.firing)) estimatedAt = i;
      });
      // The 2000th label (of prediction 1999) arrives with prediction 4999, which starts the first window of 500.
      // Windows ending 5498, 5998, 6498, 6998 are stationary: no alert. The next, 6999–7498, is shifted but for its first prediction: the alert.
      expect({ seed, estimatedAt }).toEqual({ seed, estimatedAt: 7498 });
      // The realised rule needs the shifted labels, which start arriving at onset + lag = 10000.
      expect({ seed, realisedAfterShiftedLabels: (realisedAt ?? 0) >= onset + labelLag }).toEqual({ seed, realisedAfterShiftedLabels: true });
      expect({ seed, estimatedFirst: (estimatedAt as number) < (realisedAt as number) - 1000 }).toEqual({ seed, estimatedFirst: true });
    }
  });
});
