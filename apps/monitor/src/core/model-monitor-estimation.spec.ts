import type { MetricSnapshot } from '@vigil/contracts';
import { sequentialIds, stoppedClock } from '../../../../test/support/clock';
import { EVENT_T0, labelEvent, predictionEvent } from '../../../../test/support/events';
import { covariateShiftStream, scoresOf } from '../../../../test/support/scored-stream';
import { EstimatedPerformance } from './estimated-performance';
import { DEFAULT_MODEL_CONFIG, effectiveConfig } from './model-config';
import { ModelMonitor, ModelMonitorState } from './model-monitor';

const at = (i: number) => EVENT_T0 + i * 1000;
const options = () => ({ snapshotIntervalMs: 0, clock: stoppedClock(EVENT_T0), ids: sequentialIds() });
const ONSET = 7000;
/** The label of prediction i − LAG arrives just before prediction i (chargebacks come weeks later). */
const LAG = 3000;
const N = 14_000;

interface Run {
  /** Step of the first alert of each rule. */
  firstAlert: Record<string, number>;
  /** The version's snapshot of each step. */
  snapshots: MetricSnapshot[];
  monitor: ModelMonitor;
}

/**
 * Drives a monitor at the default configuration through the covariate-shift stream with
 * lagging labels; `restoreAt` checkpoints it through JSON there
 * and continues on the restored monitor.
 */
function run(seed: number, restoreAt: number | null = null): Run {
  const events = covariateShiftStream(seed, N, ONSET);
  const config = effectiveConfig(DEFAULT_MODEL_CONFIG, {});
  let m = new ModelMonitor('fraud', config, options());
  const firstAlert: Record<string, number> = {};
  const snapshots: MetricSnapshot[] = [];
  events.forEach((e, i) => {
    if (i === restoreAt) m = ModelMonitor.fromJSON(JSON.parse(JSON.stringify(m.toJSON())) as ModelMonitorState, config, options());
    if (i >= LAG) m.onLabel(labelEvent(i - LAG, { trueClass: events[i - LAG].trueClass, eventTime: new Date(at(i)) }));
    m.onPrediction(predictionEvent(i, { predictedClass: e.predictedClass, scores: scoresOf(e) }));
    const out = m.tick(at(i));
    for (const a of out.alerts) firstAlert[a.rule] ??= i;
    snapshots.push(...out.snapshots.filter((s) => s.segmentKey === ''));
  });
  return { firstAlert, snapshots, monitor: m };
}

describe('ModelMonitor with CBPE (estimated performance before labels)', () => {
  const seeds = [11, 12, 13];
  const runs = new Map(seeds.map((seed) => [seed, run(seed)]));

  it('raises estimated_accuracy_drop on the first shifted estimation window, long before accuracy_drop', () => {
    for (const seed of seeds) {
      const { firstAlert } = runs.get(seed)!;
      // The 2000th label (estimationReferenceSize, of prediction 1999) arrives at step 4999, just before prediction
      // 4999, which opens the first window of 500 (estimationWindow). Windows ending 5498 … 6998 are stationary;
      // 6999–7498 is shifted but for its first prediction: the alert at its end (the same step as the tracker-level
      // spec in estimated-performance.spec.ts).
      expect({ seed, estimated: firstAlert.estimated_accuracy_drop }).toEqual({ seed, estimated: 7498 });
      // The realised rule needs shifted labels, which start arriving at ONSET + LAG.
      expect({ seed, realisedAfterShiftedLabels: firstAlert.accuracy_drop >= ONSET + LAG }).toEqual({ seed, realisedAfterShiftedLabels: true });
    }
  });

  it("puts the latest window's estimates in the version's snapshots, as the estimator computes them", () => {
    const events = covariateShiftStream(11, N, ONSET);
    const tracker = new EstimatedPerformance({ referenceSize: 2000, window: 500, calibration: 'isotonic' });
    const estimates: number[] = [];
    events.forEach((e, i) => {
      if (i >= LAG) tracker.observeLabelled({ scores: scoresOf(events[i - LAG]), predictedClass: events[i - LAG].predictedClass, time: at(i - LAG) }, events[i - LAG].trueClass);
      const estimate = tracker.observePrediction({ scores: scoresOf(e), predictedClass: e.predictedClass, time: at(i) });
      if (estimate) estimates.push(estimate.accuracy.value);
    });
    const { snapshots } = runs.get(11)!;
    const last = snapshots[snapshots.length - 1].metrics;
    // Windows of 500 from step 4999 to the end (13 999): 18 complete ones.
    expect(estimates).toHaveLength(18);
    expect(last.estimated_accuracy).toBe(estimates[estimates.length - 1]);
    expect(last.estimated_accuracy_lower).toBeLessThan(last.estimated_accuracy);
    expect(last.estimated_accuracy_upper).toBeGreaterThan(last.estimated_accuracy);
    expect(Object.keys(last).filter((k) => k.startsWith('estimated_') && !k.endsWith('er'))).toEqual([
      'estimated_accuracy',
      'estimated_precision',
      'estimated_recall',
      'estimated_f1',
      'estimated_roc_auc',
    ]);
    // Before the calibration reference is complete (step 4999) no snapshot carries an estimate.
    expect(snapshots.slice(0, 4999).filter((s) => 'estimated_accuracy' in s.metrics)).toEqual([]);
  });

  it('estimates from a checkpoint exactly as without it: mid-calibration and mid-window', () => {
    const straight = runs.get(12)!;
    // Only the estimates: the change detector is rebuilt from its last DETECTOR_REPLAY errors, so ADWIN's alerts may move.
    const estimated = (r: Run) => r.snapshots.map((s) => Object.entries(s.metrics).filter(([k]) => k.startsWith('estimated_')));
    // Step 3500: 500 of the 2000 calibration labels in; step 6200: calibrated, inside the window 5999–6498.
    for (const restoreAt of [3500, 6200]) {
      const restored = run(12, restoreAt);
      expect(restored.firstAlert.estimated_accuracy_drop).toBe(straight.firstAlert.estimated_accuracy_drop);
      expect(estimated(restored)).toEqual(estimated(straight));
    }
  });

  it('keeps class scores on pending predictions only while the calibration still needs labels', () => {
    const { monitor } = runs.get(13)!;
    const pending = monitor.toJSON().pending;
    // At the end, predictions 11 000 … 13 999 wait for their labels; all came after the calibration (step 4999).
    expect(pending).toHaveLength(LAG);
    expect(pending.filter((p) => p.scores !== undefined)).toEqual([]);
    expect(monitor.toJSON().versions[0].estimation?.estimator?.kind).toBe('binary');
  });
});
