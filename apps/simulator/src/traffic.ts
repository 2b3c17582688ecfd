import { ModelDeployedInput, PredictionInput } from '@vigil/sdk';
import { randomUUID } from 'node:crypto';
import { MODELS, SimulatedModel } from './models';
import { Random } from './random';
import { conditionsAt, ScenarioSettings } from './scenarios';

export const MALFORMED_KINDS = ['garbage-bytes', 'unknown-schema', 'nan-latency'] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

export interface TrafficOptions {
  seed: number;
  /** Model ids from MODELS; events go to them in turn. */
  models: readonly string[];
  /** Predictions to generate, all models together. */
  events: number;
  scenario: ScenarioSettings;
  /** Mean label delay in simulated seconds (exponentially distributed). */
  labelDelayMeanS: number;
  /** Share of predictions whose label never arrives. */
  labelMissingShare: number;
  /** Event ids; random UUIDs by default so two runs never collide in storage. */
  newId?: () => string;
  /**
   * The lifecycle a run continues (the demo chains runs): the good version's name and
   * whether it was retrained on the drifted world, the bad version's name, and whether
   * to announce the serving version with a ModelDeployed first (default true).
   */
  lifecycle?: { servingVersion?: string; retrained?: boolean; badVersion?: string; announce?: boolean };
}

export interface PredictionStep {
  kind: 'prediction';
  index: number;
  /** Share of the run generated before this event; the scenarios' clock. */
  progress: number;
  prediction: PredictionInput & { eventId: string; modelVersion: string };
  /** The ground truth to send later, or null when it never arrives. */
  label: { eventId: string; trueClass: string | null; trueValue: number | null; delayS: number } | null;
  /** How good this prediction is, whether or not its label is sent. */
  correct: boolean | null;
  absoluteError: number | null;
}

export interface MalformedStep {
  kind: 'malformed';
  index: number;
  progress: number;
  malformed: MalformedKind;
  /** The prediction the bad record stands in for; `nan-latency` sends it with latencyMs NaN. */
  prediction: PredictionInput & { eventId: string; modelVersion: string };
}

export interface DeploymentStep {
  kind: 'deployment';
  deployment: ModelDeployedInput & { modelId: string; version: string };
}

export type TrafficStep = PredictionStep | MalformedStep | DeploymentStep;

export const REFERENCE_VERSION = 'v1';
export const BAD_VERSION = 'v2';

export function resolveModels(ids: readonly string[]): SimulatedModel[] {
  return ids.map((id) => {
    const model = MODELS[id];
    if (!model) throw new Error(`unknown model "${id}"; known models: ${Object.keys(MODELS).join(', ')}`);
    return model;
  });
}

/**
 * The run's traffic, step by step, as a pure function of the options: one
 * ModelDeployed per model first, then predictions to the models in turn. Every
 * prediction consumes the same number of draws from its model's stream whatever the
 * scenario, so one seed gives the same requests under every scenario.
 */
export function* generateTraffic(options: TrafficOptions): Generator<TrafficStep> {
  const models = resolveModels(options.models);
  const newId = options.newId ?? randomUUID;
  const streams = new Map(models.map((m) => [m.modelId, Random.forStream(options.seed, m.modelId)]));
  const goodVersion = options.lifecycle?.servingVersion ?? REFERENCE_VERSION;
  const badVersion = options.lifecycle?.badVersion ?? BAD_VERSION;
  const serving = new Map<string, string>();
  for (const model of models) {
    serving.set(model.modelId, goodVersion);
    if (options.lifecycle?.announce ?? true) {
      yield { kind: 'deployment', deployment: { modelId: model.modelId, version: goodVersion, reason: 'initial' } };
    }
  }

  for (let index = 0; index < options.events; index++) {
    const model = models[index % models.length];
    const random = streams.get(model.modelId)!;
    const progress = index / options.events;
    const conditions = { ...conditionsAt(progress, options.scenario), retrained: options.lifecycle?.retrained ?? false };
    const version = conditions.badVersion ? badVersion : goodVersion;
    if (serving.get(model.modelId) !== version) {
      serving.set(model.modelId, version);
      yield { kind: 'deployment', deployment: { modelId: model.modelId, version, reason: 'manual' } };
    }

    const outcome = model.draw(random, conditions);
    const latencyMs = Math.round(random.lognormal(Math.log(model.medianLatencyMs), 0.35) * conditions.latencyFactor * 100) / 100;
    const labelMissing = random.bernoulli(options.labelMissingShare);
    const delayS = random.exponential(options.labelDelayMeanS) * conditions.labelDelayFactor;
    const isMalformed = random.bernoulli(conditions.malformedShare);
    const malformedKind = random.categorical(MALFORMED_KINDS, [1, 1, 1]);

    const prediction = {
      eventId: newId(),
      modelId: model.modelId,
      modelVersion: version,
      task: model.task,
      numericFeatures: outcome.numericFeatures,
      categoricalFeatures: outcome.categoricalFeatures,
      predictedClass: outcome.predictedClass,
      scores: outcome.scores,
      predictedValue: outcome.predictedValue,
      latencyMs,
      tags: outcome.tags,
    };
    if (isMalformed) {
      yield { kind: 'malformed', index, progress, malformed: malformedKind, prediction };
      continue;
    }
    yield {
      kind: 'prediction',
      index,
      progress,
      prediction,
      label: labelMissing ? null : { eventId: newId(), trueClass: outcome.trueClass, trueValue: outcome.trueValue, delayS },
      correct: outcome.trueClass === null ? null : outcome.trueClass === outcome.predictedClass,
      absoluteError: outcome.trueValue === null || outcome.predictedValue === null ? null : Math.abs(outcome.trueValue - outcome.predictedValue),
    };
  }
}
