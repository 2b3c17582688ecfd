import { ValidationError } from '@vigil/common';
import { LabelEvent, ModelDeployed, PredictionEvent, RetrainCompleted, Task, validateLabel, validatePrediction } from '@vigil/contracts';

/**
 * What a service passes to the SDK: the contract's fields, with the ones the SDK can
 * fill in made optional (ids, times, empty maps, nulls).
 */
export interface PredictionInput {
  /** Defaults to a random UUID; pass your own to refer to it from a label later. */
  eventId?: string;
  modelId: string;
  modelVersion: string;
  /** Defaults to now. */
  eventTime?: Date;
  entityId?: string | null;
  /** Defaults to REGRESSION when only `predictedValue` is given, otherwise CLASSIFICATION. */
  task?: Task;
  numericFeatures?: Record<string, number | null>;
  categoricalFeatures?: Record<string, string | null>;
  predictedClass?: string | null;
  scores?: Record<string, number>;
  predictedValue?: number | null;
  latencyMs: number;
  tags?: Record<string, string>;
}

export interface LabelInput {
  eventId?: string;
  predictionEventId: string;
  modelId: string;
  eventTime?: Date;
  trueClass?: string | null;
  trueValue?: number | null;
}

export interface ModelDeployedInput {
  eventId?: string;
  modelId: string;
  version: string;
  deployedAt?: Date;
  /** initial, retrain, rollback or manual; defaults to manual. */
  reason?: string;
  incidentId?: string | null;
  artifactUri?: string | null;
}

export interface RetrainCompletedInput {
  eventId?: string;
  incidentId?: string | null;
  modelId: string;
  newVersion: string;
  completedAt?: Date;
  succeeded: boolean;
}

/** Where the defaults come from; injected so tests pin them. */
export interface EventDefaults {
  now: () => Date;
  newId: () => string;
}

function inferTask(input: PredictionInput): Task {
  if (input.task) return input.task;
  const hasValue = input.predictedValue !== undefined && input.predictedValue !== null;
  const hasClass = input.predictedClass !== undefined && input.predictedClass !== null;
  return hasValue && !hasClass ? 'REGRESSION' : 'CLASSIFICATION';
}

/** The complete, validated event; throws ValidationError naming the first bad field. */
export function buildPrediction(input: PredictionInput, defaults: EventDefaults): PredictionEvent {
  const now = defaults.now();
  const event: PredictionEvent = {
    eventId: input.eventId ?? defaults.newId(),
    modelId: input.modelId,
    modelVersion: input.modelVersion,
    eventTime: input.eventTime ?? now,
    entityId: input.entityId ?? null,
    task: inferTask(input),
    numericFeatures: input.numericFeatures ?? {},
    categoricalFeatures: input.categoricalFeatures ?? {},
    predictedClass: input.predictedClass ?? null,
    scores: input.scores ?? {},
    predictedValue: input.predictedValue ?? null,
    latencyMs: input.latencyMs,
    tags: input.tags ?? {},
  };
  return validatePrediction(event, now.getTime());
}

export function buildLabel(input: LabelInput, defaults: EventDefaults): LabelEvent {
  const now = defaults.now();
  const event: LabelEvent = {
    eventId: input.eventId ?? defaults.newId(),
    predictionEventId: input.predictionEventId,
    modelId: input.modelId,
    eventTime: input.eventTime ?? now,
    trueClass: input.trueClass ?? null,
    trueValue: input.trueValue ?? null,
  };
  return validateLabel(event, now.getTime());
}

function requireText(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.trim().length === 0) throw new ValidationError(field, 'is required');
}

function requireDate(value: unknown, field: string): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new ValidationError(field, 'must be a valid date');
}

export function buildModelDeployed(input: ModelDeployedInput, defaults: EventDefaults): ModelDeployed {
  const event: ModelDeployed = {
    eventId: input.eventId ?? defaults.newId(),
    modelId: input.modelId,
    version: input.version,
    deployedAt: input.deployedAt ?? defaults.now(),
    reason: input.reason ?? 'manual',
    incidentId: input.incidentId ?? null,
    artifactUri: input.artifactUri ?? null,
  };
  requireText(event.eventId, 'eventId');
  requireText(event.modelId, 'modelId');
  requireText(event.version, 'version');
  requireText(event.reason, 'reason');
  requireDate(event.deployedAt, 'deployedAt');
  return event;
}

export function buildRetrainCompleted(input: RetrainCompletedInput, defaults: EventDefaults): RetrainCompleted {
  const event: RetrainCompleted = {
    eventId: input.eventId ?? defaults.newId(),
    incidentId: input.incidentId ?? null,
    modelId: input.modelId,
    newVersion: input.newVersion,
    completedAt: input.completedAt ?? defaults.now(),
    succeeded: input.succeeded,
  };
  requireText(event.eventId, 'eventId');
  requireText(event.modelId, 'modelId');
  requireText(event.newVersion, 'newVersion');
  requireDate(event.completedAt, 'completedAt');
  if (typeof event.succeeded !== 'boolean') throw new ValidationError('succeeded', 'must be true or false');
  return event;
}
