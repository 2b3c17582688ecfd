import { describeZodIssues } from '@vigil/common';
import type { Task } from '@vigil/contracts';
import { checkDetectorConfig, DETECTOR_NAMES, DetectorInput, DRIFT_CORRECTIONS } from '@vigil/monitoring';
import { z } from 'zod';

const positiveInt = z.number().int().min(1);
const fraction = z.number().min(0).max(1);

/**
 * What the monitor checks for one model and when it may say so. Every field has a default,
 * so a model is monitored from its first prediction with zero configuration; `PUT
 * /models/:modelId/config` overrides any subset. The type and the override's validation
 * both come from this schema.
 */
const modelConfigSchema = z.object({
  /** Predictions of production taken as the drift reference when none was registered. */
  referenceSize: positiveInt,
  /** Segment tags with their own metrics; null = every tag seen (bounded by `maxGroups`). */
  segmentTags: z.array(z.string()).nullable(),
  /** Most (version, segment) groups kept per model; further groups are refused and counted. */
  maxGroups: positiveInt,
  /** Labelled predictions in the rolling window behind accuracy / MAE. */
  metricWindow: positiveInt,
  /** Labelled predictions a window must hold before any performance verdict. */
  minLabels: positiveInt,
  /** Classification: alert when the rolling accuracy is below this; null = off. */
  accuracyFloor: fraction.nullable(),
  /** Classification: alert when the rolling accuracy is this far below the version's baseline (its first full window). */
  maxAccuracyDrop: fraction,
  /** Classification: alert `estimated_accuracy_drop` when the CBPE-estimated accuracy is this far below the calibration reference's realised accuracy; null = off. */
  maxEstimatedAccuracyDrop: fraction.nullable(),
  /** Labelled predictions the CBPE calibrator is fitted on (the version's first ones). */
  estimationReferenceSize: positiveInt,
  /** Predictions (labelled or not) per CBPE estimate. */
  estimationWindow: positiveInt,
  /** CBPE calibrator: isotonic regression (NannyML's default) or the scores as given. */
  calibration: z.enum(['isotonic', 'none']),
  /** Regression: alert when the rolling MAE is above this; null = off. */
  maeCeiling: z.number().min(0).nullable(),
  /** Regression: alert when the rolling MAE exceeds the baseline MAE × (1 + this). */
  maxMaeIncrease: z.number().min(0),
  /** A performance alert clears only once the metric is back this far on the good side of its threshold. */
  clearMargin: z.number().min(0),
  /** Predictions per drift / data-quality evaluation (tumbling window). */
  driftWindow: positiveInt,
  /** Dataset drift when the share of drifted columns (features + prediction) is ≥ this. */
  driftShareThreshold: fraction,
  /** Multiple-testing correction across the p-value columns of one drift window: none (Evidently's rule), holm (family-wise) or bh (false discovery rate). */
  driftCorrection: z.enum(DRIFT_CORRECTIONS),
  /**
   * At most `alerts` false dataset_drift alerts per `days` at `eventsPerDay` predictions a day:
   * the p-value tests' threshold is calibrated from it on the production reference (calibrateDriftAlpha, never above 0.05); null = the tests' defaults.
   */
  falseAlarmBudget: z.object({ alerts: z.number().positive(), days: z.number().positive(), eventsPerDay: z.number().positive() }).strict().nullable(),
  /** Consecutive drift windows that must show dataset drift (or a quality breach) before the alert. */
  driftPersistence: positiveInt,
  /** Change detector on the per-prediction error stream (registry name of @vigil/monitoring). */
  detector: z.enum(DETECTOR_NAMES),
  detectorParams: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])),
  /** Errors the detector must see before its verdicts count. */
  minDetectorLabels: positiveInt,
  /** Latency alert when the p99 over a snapshot interval exceeds this (ms); null = off. */
  latencyP99CeilingMs: z.number().min(0).nullable(),
  /** While an episode lasts, the same alert is repeated at most this often (ms). */
  reAlertIntervalMs: z.number().int().min(0),
  /** How long a prediction waits for its label (ms of event time). */
  labelLookbackMs: positiveInt,
  /** Pending predictions kept per model waiting for labels. */
  maxPendingPredictions: positiveInt,
});

export type ModelConfig = z.infer<typeof modelConfigSchema>;

export const DEFAULT_MODEL_CONFIG: Readonly<ModelConfig> = Object.freeze({
  referenceSize: 1000,
  segmentTags: null,
  maxGroups: 200,
  metricWindow: 500,
  minLabels: 200,
  accuracyFloor: null,
  maxAccuracyDrop: 0.1,
  maxEstimatedAccuracyDrop: 0.1,
  estimationReferenceSize: 2000,
  estimationWindow: 500,
  calibration: 'isotonic',
  maeCeiling: null,
  maxMaeIncrease: 0.5,
  clearMargin: 0.02,
  driftWindow: 500,
  driftShareThreshold: 0.5,
  driftCorrection: 'none',
  falseAlarmBudget: null,
  driftPersistence: 2,
  detector: 'adwin',
  detectorParams: {},
  minDetectorLabels: 100,
  latencyP99CeilingMs: null,
  reAlertIntervalMs: 15 * 60_000,
  labelLookbackMs: 7 * 24 * 3_600_000,
  maxPendingPredictions: 100_000,
});

/** The override a client may send: any subset of ModelConfig, each field checked, no other field. */
export const modelConfigOverrideSchema = modelConfigSchema.partial().strict();

/** Validated override or a ValidationError-like message naming each bad field. */
export function parseConfigOverride(body: unknown): Partial<ModelConfig> {
  const result = modelConfigOverrideSchema.safeParse(body ?? {});
  if (!result.success) throw new RangeError(describeZodIssues(result.error.issues));
  return result.data;
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
