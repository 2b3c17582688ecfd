/**
 * TypeScript shapes of the Avro contracts in schemas/. `contracts.spec.ts` checks that
 * every field here is in the .avsc and the reverse, so the two cannot drift apart.
 */
import type { AlertKind, Severity } from './alert-rules';

/** The symbols of prediction-event.avsc's `Task` enum, in order (contracts.spec.ts checks them). */
export const TASKS = ['CLASSIFICATION', 'REGRESSION'] as const;
export type Task = (typeof TASKS)[number];

/** The reasons model-deployed.avsc documents (a string on the wire, so older values still decode). */
export const DEPLOYMENT_REASONS = ['initial', 'retrain', 'rollback', 'manual'] as const;
export type DeploymentReason = (typeof DEPLOYMENT_REASONS)[number];

export interface PredictionEvent {
  eventId: string;
  modelId: string;
  modelVersion: string;
  eventTime: Date;
  entityId: string | null;
  task: Task;
  numericFeatures: Record<string, number | null>;
  categoricalFeatures: Record<string, string | null>;
  predictedClass: string | null;
  scores: Record<string, number>;
  predictedValue: number | null;
  latencyMs: number;
  tags: Record<string, string>;
}

export interface LabelEvent {
  eventId: string;
  predictionEventId: string;
  modelId: string;
  eventTime: Date;
  trueClass: string | null;
  trueValue: number | null;
}

export interface Evidence {
  metric: string;
  value: number;
  threshold: number | null;
  baseline: number | null;
  feature: string | null;
  windowStart: Date;
  windowEnd: Date;
  sampleSize: number;
}

export interface ModelDeployed {
  eventId: string;
  modelId: string;
  version: string;
  deployedAt: Date;
  reason: string;
  incidentId: string | null;
  artifactUri: string | null;
}

export interface RetrainRequested {
  eventId: string;
  incidentId: string;
  modelId: string;
  modelVersion: string;
  requestedAt: Date;
  policy: string;
  reason: string;
  evidence: Evidence[];
}

export interface RetrainCompleted {
  eventId: string;
  incidentId: string | null;
  modelId: string;
  newVersion: string;
  completedAt: Date;
  succeeded: boolean;
}

export interface RollbackRequested {
  eventId: string;
  incidentId: string;
  modelId: string;
  fromVersion: string;
  toVersion: string;
  requestedAt: Date;
  policy: string;
  reason: string;
  evidence: Evidence[];
}

export interface MetricSnapshot {
  eventId: string;
  modelId: string;
  modelVersion: string;
  segmentKey: string;
  segmentValue: string;
  windowStart: Date;
  windowEnd: Date;
  predictionCount: number;
  labelledCount: number;
  metrics: Record<string, number>;
}

export type { AlertKind, Severity } from './alert-rules';

export interface Alert {
  alertId: string;
  modelId: string;
  modelVersion: string;
  kind: AlertKind;
  severity: Severity;
  rule: string;
  since: Date;
  observedAt: Date;
  message: string;
  evidence: Evidence[];
}
