import { DatasetSummary, mulberry32, provenDriftAlpha } from '@vigil/monitoring';
import { EVENT_T0, predictionEvent } from '../../../../test/support/events';
import { sequentialIds, stoppedClock } from '../../../../test/support/clock';
import { DEFAULT_MODEL_CONFIG, effectiveConfig, ModelConfig } from './model-config';
import { ModelMonitor, ModelMonitorState } from './model-monitor';
import { PREDICTION_COLUMN } from './prediction-input';

// 600 warm-up rows, windows of 300: the calibration's 10 × 128 bootstrap windows stay quick.
const budget = { alerts: 2, days: 1, eventsPerDay: 86_400 };
const withBudget = effectiveConfig(DEFAULT_MODEL_CONFIG, { referenceSize: 600, driftWindow: 300, driftPersistence: 1, falseAlarmBudget: budget });
const options = () => ({ snapshotIntervalMs: 0, clock: stoppedClock(EVENT_T0), ids: sequentialIds() });

function feed(m: ModelMonitor, from: number, n: number, rand: () => number): void {
  for (let i = from; i < from + n; i++) {
    const amount = 100 * rand();
    m.onPrediction(predictionEvent(i, { numericFeatures: { amount, x: rand() }, predictedClass: amount > 50 ? 'yes' : 'no' }));
  }
}

const checkpoint = (m: ModelMonitor) => JSON.parse(JSON.stringify(m.toJSON())) as ModelMonitorState;

describe('DriftWindows with a false-alarm budget', () => {
  it('keeps the warm-up rows until the reference forms, then calibrates α on them once', () => {
    const m = new ModelMonitor('fraud', withBudget, options());
    const rand = mulberry32(5);
    feed(m, 0, 599, rand);
    // Columns amount, x and the prediction: 599 warm-up rows kept, checkpointed with the warm-up.
    expect(checkpoint(m).warmupSample).toHaveLength(599);
    feed(m, 599, 1 + 300, rand);
    const state = checkpoint(m);
    expect(state.warmupSample).toBeUndefined();
    const calibration = state.driftCalibration!;
    expect(calibration.method).toBe('bootstrap');
    const design = { driftWindow: 300, driftPersistence: 1, columns: 3, driftShareThreshold: 0.5, correction: 'none' as const };
    expect(calibration.design).toEqual(design);
    expect(calibration.alpha).toBeLessThanOrEqual(provenDriftAlpha(budget, design));
    expect(calibration.bootstrapAlertsPerDay!).toBeLessThanOrEqual(budget.alerts / budget.days);
    expect(m.currentMetrics().reference.driftCalibration).toEqual({ alpha: calibration.alpha, method: 'bootstrap', bootstrapAlertsPerDay: calibration.bootstrapAlertsPerDay });
  });

  it('a restart keeps the calibration (the rows are gone: recalibrating would give the closed form)', () => {
    const m = new ModelMonitor('fraud', withBudget, options());
    const rand = mulberry32(6);
    feed(m, 0, 900, rand);
    const before = checkpoint(m).driftCalibration!;
    const restored = ModelMonitor.fromJSON(checkpoint(m), withBudget, options());
    feed(restored, 900, 300, rand);
    expect(checkpoint(restored).driftCalibration).toEqual(before);
    expect(before.method).toBe('bootstrap');
  });

  it('falls back to the closed form for a registered reference and for a budget changed after calibration', () => {
    const m = new ModelMonitor('fraud', withBudget, options());
    const rand = mulberry32(8);
    const reference = new DatasetSummary({ amount: 'numeric', x: 'numeric', [PREDICTION_COLUMN]: 'categorical' });
    for (let i = 0; i < 600; i++) reference.addRow({ amount: 100 * rand(), x: rand(), [PREDICTION_COLUMN]: rand() > 0.5 ? 'yes' : 'no' });
    m.setReference(reference);
    feed(m, 0, 300, rand);
    const design = { driftWindow: 300, driftPersistence: 1, columns: 3, driftShareThreshold: 0.5, correction: 'none' as const };
    expect(checkpoint(m).driftCalibration).toMatchObject({ method: 'closed-form', alpha: provenDriftAlpha(budget, design) });
    const tighter: ModelConfig = effectiveConfig(withBudget, { falseAlarmBudget: { ...budget, alerts: 1 } });
    m.setConfig(tighter);
    feed(m, 300, 300, rand);
    expect(checkpoint(m).driftCalibration).toMatchObject({ method: 'closed-form', alpha: provenDriftAlpha({ ...budget, alerts: 1 }, design) });
  });

  it('does not report a calibration once the budget is removed', () => {
    const m = new ModelMonitor('fraud', withBudget, options());
    feed(m, 0, 600, mulberry32(10));
    expect(m.currentMetrics().reference.driftCalibration?.method).toBe('bootstrap');
    m.setConfig(effectiveConfig(withBudget, { falseAlarmBudget: null }));
    expect(m.currentMetrics().reference.driftCalibration).toBeUndefined();
  });

  it('keeps no rows without a budget', () => {
    const m = new ModelMonitor('fraud', effectiveConfig(withBudget, { falseAlarmBudget: null }), options());
    feed(m, 0, 900, mulberry32(9));
    const state = checkpoint(m);
    expect(state.warmupSample).toBeUndefined();
    expect(state.driftCalibration).toBeUndefined();
  });
});
