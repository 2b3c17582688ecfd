import { ValidationError } from '@vigil/common';
import type { LabelEvent, PredictionEvent } from '@vigil/contracts';
import { DEFAULT_MODEL_CONFIG, effectiveConfig, ModelConfig } from './model-config';
import { ModelMonitor } from './model-monitor';

/** Inputs the engine must refuse (the service dead-letters them) or count once. */
const T0 = Date.UTC(2026, 0, 1);

function prediction(i: number, overrides: Partial<PredictionEvent> = {}): PredictionEvent {
  return {
    eventId: `p${i}`,
    modelId: 'fraud',
    modelVersion: 'v1',
    eventTime: new Date(T0 + i * 1000),
    entityId: null,
    task: 'CLASSIFICATION',
    numericFeatures: { amount: i },
    categoricalFeatures: { channel: 'web' },
    predictedClass: 'yes',
    scores: {},
    predictedValue: null,
    latencyMs: 10,
    tags: {},
    ...overrides,
  };
}

function label(i: number, trueClass: string): LabelEvent {
  return { eventId: `l${i}`, predictionEventId: `p${i}`, modelId: 'fraud', eventTime: new Date(T0 + i * 1000 + 500), trueClass, trueValue: null };
}

function monitor(overrides: Partial<ModelConfig> = {}): ModelMonitor {
  return new ModelMonitor('fraud', effectiveConfig(DEFAULT_MODEL_CONFIG, overrides), { snapshotIntervalMs: 0 });
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
    expect(refusal(m, prediction(4, { categoricalFeatures: { '@prediction': 'x' } }))).toBe('categoricalFeatures.@prediction: "@prediction" is the name of the model output\'s drift column');
    expect(JSON.stringify(m.currentMetrics().groups)).toBe(before);
    // 4 refused above.
    expect(m.currentMetrics().labels.invalidPredictions).toBe(4);
    m.onLabel(label(0, 'yes'));
    expect(m.currentMetrics().groups[0]).toMatchObject({ predictionCount: 1, labelledCount: 1 });
  });
});
