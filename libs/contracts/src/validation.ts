import { ValidationError } from '@vigil/common';
import { Alert, Evidence, LabelEvent, MetricSnapshot, PredictionEvent } from './events';

/**
 * Domain rules Avro cannot express. The SDK applies them before sending and the
 * ingestor after decoding, so a record breaking them is refused with the field named.
 */
export const LIMITS = {
  /** Latency above a day is a unit mistake (µs sent as ms), not a slow model. */
  maxLatencyMs: 86_400_000,
  /** Events dated before 2000 or more than a day ahead are clock or unit errors. */
  minEventTime: Date.UTC(2000, 0, 1),
  maxClockSkewMs: 86_400_000,
  maxIdLength: 256,
  maxFeatures: 1_000,
};

function requireId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim().length === 0) throw new ValidationError(field, 'is required');
  if (value.length > LIMITS.maxIdLength) throw new ValidationError(field, `is longer than ${LIMITS.maxIdLength}`);
  return value;
}

function requireTime(value: unknown, field: string, now: number): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new ValidationError(field, 'must be a valid date');
  const t = value.getTime();
  if (t < LIMITS.minEventTime || t > now + LIMITS.maxClockSkewMs) {
    throw new ValidationError(field, `${value.toISOString()} is outside 2000-01-01 .. now + 1 day`);
  }
  return value;
}

function requireFinite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValidationError(field, `must be a finite number, got ${String(value)}`);
  return value;
}

function checkFeatureCount(map: Record<string, unknown>, field: string): void {
  if (Object.keys(map).length > LIMITS.maxFeatures) throw new ValidationError(field, `has more than ${LIMITS.maxFeatures} entries`);
}

export function validatePrediction(event: PredictionEvent, now: number = Date.now()): PredictionEvent {
  requireId(event.eventId, 'eventId');
  requireId(event.modelId, 'modelId');
  requireId(event.modelVersion, 'modelVersion');
  requireTime(event.eventTime, 'eventTime', now);
  const latency = requireFinite(event.latencyMs, 'latencyMs');
  if (latency < 0 || latency > LIMITS.maxLatencyMs) throw new ValidationError('latencyMs', `${latency} is outside 0 .. ${LIMITS.maxLatencyMs}`);
  checkFeatureCount(event.numericFeatures ?? {}, 'numericFeatures');
  checkFeatureCount(event.categoricalFeatures ?? {}, 'categoricalFeatures');
  for (const [name, value] of Object.entries(event.numericFeatures ?? {})) {
    if (value !== null) requireFinite(value, `numericFeatures.${name}`);
  }
  for (const [name, value] of Object.entries(event.scores ?? {})) requireFinite(value, `scores.${name}`);
  if (event.task === 'CLASSIFICATION') {
    requireId(event.predictedClass, 'predictedClass');
  } else if (event.task === 'REGRESSION') {
    requireFinite(event.predictedValue, 'predictedValue');
  } else {
    throw new ValidationError('task', `must be CLASSIFICATION or REGRESSION, got ${String(event.task)}`);
  }
  return event;
}

export function validateLabel(event: LabelEvent, now: number = Date.now()): LabelEvent {
  requireId(event.eventId, 'eventId');
  requireId(event.predictionEventId, 'predictionEventId');
  requireId(event.modelId, 'modelId');
  requireTime(event.eventTime, 'eventTime', now);
  const hasClass = event.trueClass !== null && event.trueClass !== undefined;
  const hasValue = event.trueValue !== null && event.trueValue !== undefined;
  if (hasClass === hasValue) throw new ValidationError('trueClass', 'exactly one of trueClass and trueValue must be set');
  if (hasClass) requireId(event.trueClass, 'trueClass');
  if (hasValue) requireFinite(event.trueValue, 'trueValue');
  return event;
}

function requireCount(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new ValidationError(field, `must be a non-negative integer, got ${String(value)}`);
  return value;
}

function checkEvidence(evidence: readonly Evidence[], field: string): void {
  for (const [i, e] of evidence.entries()) {
    requireFinite(e.value, `${field}[${i}].value`);
    if (e.threshold !== null) requireFinite(e.threshold, `${field}[${i}].threshold`);
    if (e.baseline !== null) requireFinite(e.baseline, `${field}[${i}].baseline`);
    requireCount(e.sampleSize, `${field}[${i}].sampleSize`);
  }
}

/** A snapshot the orchestrator can reason on: finite metrics and sizes that are counts. */
export function validateSnapshot(snapshot: MetricSnapshot): MetricSnapshot {
  requireId(snapshot.modelId, 'modelId');
  requireId(snapshot.modelVersion, 'modelVersion');
  requireCount(snapshot.predictionCount, 'predictionCount');
  requireCount(snapshot.labelledCount, 'labelledCount');
  for (const [name, value] of Object.entries(snapshot.metrics)) requireFinite(value, `metrics.${name}`);
  return snapshot;
}

/** An alert whose evidence is made of finite numbers and counts. */
export function validateAlert(alert: Alert): Alert {
  requireId(alert.modelId, 'modelId');
  requireId(alert.modelVersion, 'modelVersion');
  checkEvidence(alert.evidence, 'evidence');
  return alert;
}
