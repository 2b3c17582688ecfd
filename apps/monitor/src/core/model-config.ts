import Joi from 'joi';
import type { Task } from '@vigil/contracts';
import { checkDetectorConfig, DETECTOR_NAMES, DetectorInput } from '@vigil/monitoring';

/**
 * What the monitor checks for one model and when it may say so. Every field has a default,
 * so a model is monitored from its first prediction with zero configuration; `PUT
 * /models/:modelId/config` overrides any subset.
 */
export interface ModelConfig {
  /** Predictions of production taken as the drift reference when none was registered. */
  referenceSize: number;
  /** Segment tags with their own metrics; null = every tag seen (bounded by `maxGroups`). */
  segmentTags: string[] | null;
  /** Most (version, segment) groups kept per model; further groups are refused and counted. */
  maxGroups: number;
  /** Labelled predictions in the rolling window behind accuracy / MAE. */
  metricWindow: number;
  /** Labelled predictions a window must hold before any performance verdict. */
  minLabels: number;
  /** Classification: alert when the rolling accuracy is below this; null = off. */
  accuracyFloor: number | null;
  /** Classification: alert when the rolling accuracy is this far below the version's baseline (its first full window). */
  maxAccuracyDrop: number;
  /** Regression: alert when the rolling MAE is above this; null = off. */
  maeCeiling: number | null;
  /** Regression: alert when the rolling MAE exceeds the baseline MAE × (1 + this). */
  maxMaeIncrease: number;
  /** A performance alert clears only once the metric is back this far on the good side of its threshold. */
  clearMargin: number;
  /** Predictions per drift / data-quality evaluation (tumbling window). */
  driftWindow: number;
  /** Dataset drift when the share of drifted columns (features + prediction) is ≥ this. */
  driftShareThreshold: number;
  /** Consecutive drift windows that must show dataset drift (or a quality breach) before the alert. */
  driftPersistence: number;
  /** Change detector on the per-prediction error stream (registry name of @vigil/monitoring). */
  detector: string;
  detectorParams: Record<string, number | boolean | string>;
  /** Errors the detector must see before its verdicts count. */
  minDetectorLabels: number;
  /** Latency alert when the p99 over a snapshot interval exceeds this (ms); null = off. */
  latencyP99CeilingMs: number | null;
  /** While an episode lasts, the same alert is repeated at most this often (ms). */
  reAlertIntervalMs: number;
  /** How long a prediction waits for its label (ms of event time). */
  labelLookbackMs: number;
  /** Pending predictions kept per model waiting for labels. */
  maxPendingPredictions: number;
}

export const DEFAULT_MODEL_CONFIG: Readonly<ModelConfig> = Object.freeze({
  referenceSize: 1000,
  segmentTags: null,
  maxGroups: 200,
  metricWindow: 500,
  minLabels: 200,
  accuracyFloor: null,
  maxAccuracyDrop: 0.1,
  maeCeiling: null,
  maxMaeIncrease: 0.5,
  clearMargin: 0.02,
  driftWindow: 500,
  driftShareThreshold: 0.5,
  driftPersistence: 2,
  detector: 'adwin',
  detectorParams: {},
  minDetectorLabels: 100,
  latencyP99CeilingMs: null,
  reAlertIntervalMs: 15 * 60_000,
  labelLookbackMs: 7 * 24 * 3_600_000,
  maxPendingPredictions: 100_000,
});

const positiveInt = Joi.number().integer().min(1);
const fraction = Joi.number().min(0).max(1);

/** The override a client may send: any subset of ModelConfig, each field checked. */
export const modelConfigOverrideSchema = Joi.object<Partial<ModelConfig>>({
  referenceSize: positiveInt,
  segmentTags: Joi.array().items(Joi.string()).allow(null),
  maxGroups: positiveInt,
  metricWindow: positiveInt,
  minLabels: positiveInt,
  accuracyFloor: fraction.allow(null),
  maxAccuracyDrop: fraction,
  maeCeiling: Joi.number().min(0).allow(null),
  maxMaeIncrease: Joi.number().min(0),
  clearMargin: Joi.number().min(0),
  driftWindow: positiveInt,
  driftShareThreshold: fraction,
  driftPersistence: positiveInt,
  detector: Joi.string().valid(...DETECTOR_NAMES),
  detectorParams: Joi.object().pattern(Joi.string(), Joi.alternatives(Joi.number(), Joi.boolean(), Joi.string())),
  minDetectorLabels: positiveInt,
  latencyP99CeilingMs: Joi.number().min(0).allow(null),
  reAlertIntervalMs: Joi.number().integer().min(0),
  labelLookbackMs: positiveInt,
  maxPendingPredictions: positiveInt,
}).prefs({ abortEarly: false });

/** Validated override or a ValidationError-like message naming each bad field. */
export function parseConfigOverride(body: unknown): Partial<ModelConfig> {
  const { error, value } = modelConfigOverrideSchema.validate(body ?? {});
  if (error) throw new RangeError(error.message);
  return value;
}

export function effectiveConfig(base: Readonly<ModelConfig>, override: Partial<ModelConfig> = {}): ModelConfig {
  return { ...base, ...override, detectorParams: { ...(override.detectorParams ?? base.detectorParams) } };
}

/** The error stream each task feeds the change detector: 0/1 misclassifications, or |error|. */
export const ERROR_STREAM: Readonly<Record<Task, DetectorInput>> = { CLASSIFICATION: 'binary-error', REGRESSION: 'absolute-error' };

/**
 * Checks a whole configuration for a model of `task` (null while unknown) through the
 * engine's own registry: detector name, parameters and input kind. Throws a
 * DetectorConfigError naming the field.
 */
export function checkModelConfig(config: ModelConfig, task: Task | null): void {
  checkDetectorConfig(config.detector, config.detectorParams, task === null ? null : ERROR_STREAM[task]);
}
