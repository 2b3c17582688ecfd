// Event factories shared by the specs and the e2e suites, so a change to the contract is made
// in one place. Defaults are a valid classification event of model `fraud`, version `v1`, at
// 2026-01-01T00:00:00Z plus `i` seconds; every field can be overridden.
import type { LabelEvent, PredictionEvent } from '@vigil/contracts';

/** 2026-01-01T00:00:00Z, the factories' time origin. */
export const EVENT_T0 = Date.UTC(2026, 0, 1);

export function predictionEvent(i: number, overrides: Partial<PredictionEvent> = {}): PredictionEvent {
  return {
    eventId: `p${i}`,
    modelId: 'fraud',
    modelVersion: 'v1',
    eventTime: new Date(EVENT_T0 + i * 1000),
    entityId: null,
    task: 'CLASSIFICATION',
    numericFeatures: {},
    categoricalFeatures: {},
    predictedClass: 'yes',
    scores: {},
    predictedValue: null,
    latencyMs: 10,
    tags: {},
    ...overrides,
  };
}

/** A regression prediction: no class, a predicted value. */
export function regressionEvent(i: number, predictedValue: number, overrides: Partial<PredictionEvent> = {}): PredictionEvent {
  return predictionEvent(i, { task: 'REGRESSION', predictedClass: null, predictedValue, ...overrides });
}

/** The label of `predictionEvent(i)`, one second after it unless overridden. */
export function labelEvent(i: number, overrides: Partial<LabelEvent> = {}): LabelEvent {
  return {
    eventId: `l${i}`,
    predictionEventId: `p${i}`,
    modelId: 'fraud',
    eventTime: new Date(EVENT_T0 + i * 1000 + 1000),
    trueClass: 'yes',
    trueValue: null,
    ...overrides,
  };
}
