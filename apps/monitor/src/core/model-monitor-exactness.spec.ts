import { ValidationError } from '@vigil/common';
import type { Alert, LabelEvent, PredictionEvent } from '@vigil/contracts';
import { DetectorConfigError } from '@vigil/monitoring';
import { checkModelConfig, DEFAULT_MODEL_CONFIG, effectiveConfig, ModelConfig } from './model-config';
import { ModelMonitor } from './model-monitor';
import { sequentialIds, stoppedClock } from '../../../../test/support/clock';
import { EVENT_T0, labelEvent, predictionEvent } from '../../../../test/support/events';

/** Exactness of the engine: inputs it must refuse (the service dead-letters them), configurations it cannot run, events counted once, any feature name, checkpoints that keep everything. */
const T0 = EVENT_T0;

const options = (snapshotIntervalMs = 0) => ({ snapshotIntervalMs, clock: stoppedClock(T0), ids: sequentialIds() });

/** Prediction i with one numeric and one categorical feature. */
function prediction(i: number, overrides: Partial<PredictionEvent> = {}): PredictionEvent {
  return predictionEvent(i, { numericFeatures: { amount: i }, categoricalFeatures: { channel: 'web' }, ...overrides });
}

/** The label of prediction i, half a second after it. */
function label(i: number, trueClass: string): LabelEvent {
  return labelEvent(i, { trueClass, eventTime: new Date(T0 + i * 1000 + 500) });
}

function monitor(overrides: Partial<ModelConfig> = {}): ModelMonitor {
  return new ModelMonitor('fraud', effectiveConfig(DEFAULT_MODEL_CONFIG, overrides), options());
}

function refusal(m: ModelMonitor, p: PredictionEvent): string {
  try {
    m.onPrediction(p);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('not refused');
}

describe('ModelMonitor refuses predictions that are no valid input of its engine', () => {
  it('names the field, and changes nothing', () => {
    const m = monitor();
    m.onPrediction(prediction(0));
    const before = JSON.stringify(m.currentMetrics().groups);
    expect(refusal(m, prediction(1, { task: 'REGRESSION', predictedClass: null, predictedValue: 2 }))).toBe("task: REGRESSION, but this model's predictions are CLASSIFICATION");
    expect(refusal(m, prediction(2, { numericFeatures: { channel: 3 } }))).toBe("numericFeatures.channel: is categorical in this model's reference, not numeric");
    expect(refusal(m, prediction(3, { categoricalFeatures: { amount: 'high' } }))).toBe("categoricalFeatures.amount: is numeric in this model's reference, not categorical");
    expect(refusal(m, prediction(4, { categoricalFeatures: { '@prediction': 'x' } }))).toBe(
      'categoricalFeatures.@prediction: "@prediction" is the name of the model output\'s drift column',
    );
    expect(JSON.stringify(m.currentMetrics().groups)).toBe(before);
    // 4 refused above.
    expect(m.currentMetrics().labels.invalidPredictions).toBe(4);
    m.onLabel(label(0, 'yes'));
    expect(m.currentMetrics().groups[0]).toMatchObject({ predictionCount: 1, labelledCount: 1 });
  });
});

describe('detector configuration, checked through the engine registry', () => {
  it('checkModelConfig names the field and the reason', () => {
    const config = (overrides: Partial<ModelConfig>) => effectiveConfig(DEFAULT_MODEL_CONFIG, overrides);
    const problem = (overrides: Partial<ModelConfig>, task: 'CLASSIFICATION' | 'REGRESSION' | null) => {
      try {
        checkModelConfig(config(overrides), task);
        return null;
      } catch (error) {
        expect(error).toBeInstanceOf(DetectorConfigError);
        return { field: (error as DetectorConfigError).field, message: (error as Error).message };
      }
    };
    expect(problem({ detector: 'ddm' }, 'REGRESSION')).toEqual({
      field: 'detector',
      message: "detector: ddm accepts only binary-error input, but this model's detector would watch its absolute-error",
    });
    expect(problem({ detector: 'ddm' }, 'CLASSIFICATION')).toBeNull();
    expect(problem({ detector: 'ddm' }, null)).toBeNull();
    expect(problem({ detector: 'adwin' }, 'REGRESSION')).toBeNull();
    expect(problem({ detectorParams: { delta: 5 } }, null)).toEqual({ field: 'detectorParams', message: 'detectorParams: adwin: delta must be in (0, 1)' });
    expect(problem({ detectorParams: { nonsense: 1 } }, null)?.field).toBe('detectorParams.nonsense');
  });

  it('a stored configuration that cannot run disables the detector with one alert; the rest keeps working', () => {
    // DDM on a regression model: it would be fed |error|, not 0/1.
    const m = monitor({ detector: 'ddm', minLabels: 1, metricWindow: 2 });
    const alerts: Alert[] = [];
    for (let i = 0; i < 5; i++) {
      m.onPrediction(prediction(i, { task: 'REGRESSION', predictedClass: null, predictedValue: 10 }));
      m.onLabel({ ...label(i, 'x'), trueClass: null, trueValue: 12 });
      alerts.push(...m.tick(T0).alerts);
    }
    // One episode, opened by the first label, not repeated within reAlertIntervalMs.
    expect(alerts.map((a) => [a.rule, a.kind, a.severity])).toEqual([['detector_disabled', 'DETECTOR', 'WARNING']]);
    expect(alerts[0].message).toContain('ddm accepts only binary-error input');
    // |10 − 12| = 2 for every pair.
    expect(m.currentMetrics().groups[0].metrics.mae).toBe(2);
    // Restored from its checkpoint, it stays disabled instead of throwing.
    expect(() => ModelMonitor.fromJSON(m.toJSON(), m.currentConfig, options())).not.toThrow();
    // A valid configuration clears the episode and runs the detector.
    m.setConfig(effectiveConfig(DEFAULT_MODEL_CONFIG, { detector: 'adwin', minLabels: 1, metricWindow: 2 }));
    m.onPrediction(prediction(5, { task: 'REGRESSION', predictedClass: null, predictedValue: 10 }));
    m.onLabel({ ...label(5, 'x'), trueClass: null, trueValue: 12 });
    expect(m.openEpisodes().v1).not.toContain('detector_disabled');
  });
});

describe('each prediction counts once', () => {
  it('the same prediction 3×, and one id again with another time: 4 predictions for 4 distinct ids', () => {
    const m = monitor();
    for (let k = 0; k < 3; k++) m.onPrediction(prediction(1));
    m.onPrediction(prediction(2));
    m.onPrediction(prediction(3));
    m.onPrediction(prediction(4));
    // p4 again, an hour later: same event id, so the same event.
    m.onPrediction(prediction(4, { eventTime: new Date(T0 + 3_600_000) }));
    m.onLabel(label(4, 'yes'));
    // …and once more after its label joined (the join remembers joined ids for the lookback).
    m.onPrediction(prediction(4));
    const metrics = m.currentMetrics();
    const v1 = metrics.groups.find((g) => g.segmentKey === '')!;
    // 8 records: p1 ×3, p2, p3, p4 ×3 → 4 distinct, 4 duplicates.
    expect(v1.predictionCount).toBe(4);
    expect(metrics.predictions.duplicate).toBe(4);
    expect(v1.labelledCount).toBe(1);
    const snapshot = m.tick(T0).snapshots.find((s) => s.segmentKey === '')!;
    expect(snapshot.predictionCount).toBe(4);
    expect(snapshot.metrics.predictions_duplicate).toBe(4);
    expect(snapshot.metrics.labels_duplicate).toBe(0);
    // Drift counts each once too: the warm-up reference holds 4 rows.
    expect(m.toJSON().warmupRows).toBe(4);
  });

  it('counts a duplicate label in labels_duplicate', () => {
    const m = monitor();
    m.onPrediction(prediction(1));
    m.onLabel(label(1, 'yes'));
    m.onLabel(label(1, 'yes'));
    expect(m.currentMetrics().labels.duplicate).toBe(1);
    expect(m.tick(T0).snapshots.find((s) => s.segmentKey === '')!.metrics.labels_duplicate).toBe(1);
  });
});

describe('feature names that are Object.prototype properties', () => {
  it('__proto__, constructor and toString are features, tags and classes like any other, across a checkpoint', () => {
    // JSON.parse makes them own properties, as the decoder's null-prototype maps do (a literal `{ __proto__: … }` would set the prototype).
    const numeric = (i: number) => JSON.parse(`{"__proto__": ${i % 10}, "toString": ${i % 7}}`) as Record<string, number>;
    const categorical = () => JSON.parse('{"constructor": "a"}') as Record<string, string>;
    const tags = JSON.parse('{"__proto__": "eu"}') as Record<string, string>;
    const m = monitor({ referenceSize: 20, driftWindow: 10, segmentTags: ['__proto__', 'constructor'] });
    for (let i = 0; i < 30; i++) {
      m.onPrediction(prediction(i, { numericFeatures: numeric(i), categoricalFeatures: categorical(), predictedClass: 'toString', tags }));
      m.onLabel(label(i, i % 2 === 0 ? 'toString' : '__proto__'));
    }
    const state = m.toJSON();
    expect(Object.keys(state.kinds!).sort()).toEqual(['@prediction', '__proto__', 'constructor', 'toString']);
    expect(Object.keys(state.reference!.columns).sort()).toEqual(['@prediction', '__proto__', 'constructor', 'toString']);
    // 20 reference rows, 10 in the drift window: every column was fed every row.
    expect(state.reference!.columns['__proto__']).toMatchObject({ kind: 'numeric', count: 20 });
    expect(state.reference!.columns['constructor']).toMatchObject({ kind: 'categorical', count: 20 });
    const metrics = m.currentMetrics();
    const v1 = metrics.groups.find((g) => g.segmentKey === '')!;
    expect(Object.keys(v1.metrics)).toEqual(expect.arrayContaining(['drift.__proto__', 'drift.toString', 'drift.constructor']));
    // The tag `__proto__` makes a segment; `constructor` (not sent) does not.
    expect(metrics.groups.map((g) => `${g.segmentKey}=${g.segmentValue}`).sort()).toEqual(['=', '__proto__=eu']);
    // Classes `toString` (predicted) and `__proto__`: right on even i → 15 of 30.
    expect(v1.metrics.accuracy).toBe(0.5);
    const restored = ModelMonitor.fromJSON(JSON.parse(JSON.stringify(state)), m.currentConfig, options());
    expect(restored.toJSON().kinds).toEqual(state.kinds);
    expect(restored.currentMetrics().groups.map((g) => g.predictionCount)).toEqual([30, 30]);
  });
});

describe('checkpoints keep the latency sketches', () => {
  it('a restore in the middle of a snapshot interval gives the same latency quantiles as no restore', () => {
    const uninterrupted = new ModelMonitor('fraud', effectiveConfig(DEFAULT_MODEL_CONFIG, {}), options(60_000));
    const first = new ModelMonitor('fraud', effectiveConfig(DEFAULT_MODEL_CONFIG, {}), options(60_000));
    // Latencies 1..200 ms; the restore comes after 100 of them, before any snapshot is due.
    for (let i = 0; i < 100; i++) for (const m of [uninterrupted, first]) m.onPrediction(prediction(i, { latencyMs: i + 1 }));
    const restored = ModelMonitor.fromJSON(JSON.parse(JSON.stringify(first.toJSON())), first.currentConfig, options(60_000));
    for (let i = 100; i < 200; i++) for (const m of [uninterrupted, restored]) m.onPrediction(prediction(i, { latencyMs: i + 1 }));
    const latency = (m: ModelMonitor) => {
      const { metrics } = m.tick(T0 + 60_000).snapshots.find((s) => s.segmentKey === '')!;
      return [metrics.latency_count, metrics.latency_p50, metrics.latency_p95, metrics.latency_p99];
    };
    const expected = latency(uninterrupted);
    // 200 latencies; p99 of 1..200 is within 1 % (DDSketch's bound) of rank ⌊0.99 · 199⌋ = 197 → 198 ms.
    expect(expected[0]).toBe(200);
    expect(Math.abs(expected[3] - 198) / 198).toBeLessThanOrEqual(0.01);
    expect(latency(restored)).toEqual(expected);
  });
});
