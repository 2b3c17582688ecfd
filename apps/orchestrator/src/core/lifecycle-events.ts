import type { Alert, MetricSnapshot, ModelDeployed, RetrainCompleted, RetrainRequested, RollbackRequested } from '@vigil/contracts';
import type { LifecycleAction } from './identity';
import type { DeploymentRecord, IncidentRecord, ModelState } from './state';

/** The events the lifecycle engine decides on, and what it returns for each. */
export type LifecycleEvent =
  | { type: 'alert'; alert: Alert }
  | { type: 'snapshot'; snapshot: MetricSnapshot }
  | { type: 'deployed'; deployment: ModelDeployed }
  | { type: 'retrainCompleted'; completion: RetrainCompleted };

/** Every outcome of an audited decision (docs/orchestrator.md "Audit outcomes" lists each; the engine spec checks). */
export const DECISION_OUTCOMES = [
  'retrain_requested',
  'rollback_requested',
  'duplicate_event',
  'incident_already_open',
  'suppressed_cooldown',
  'suppressed_daily_limit',
  'insufficient_evidence',
  'evidence_recorded',
  'streak_cleared',
  'not_champion',
  'not_a_trigger',
  'no_action',
  'deployment_recorded',
  'incident_closed',
] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];

/** One audited decision: what was decided about which event, and why. */
export interface Decision {
  modelId: string;
  modelVersion: string;
  sourceEventType: LifecycleEvent['type'];
  sourceEventId: string;
  action: LifecycleAction | 'none';
  outcome: DecisionOutcome;
  reasons: string[];
  incidentId: string | null;
}

export type LifecycleRequest = { action: 'retrain'; event: RetrainRequested } | { action: 'rollback'; event: RollbackRequested };

export interface ClosedIncident {
  incident: IncidentRecord;
  closedAt: number;
  resolution: string;
}

export interface EngineResult {
  state: ModelState;
  decisions: Decision[];
  opened: { incident: IncidentRecord; request: LifecycleRequest }[];
  closed: ClosedIncident[];
  /** Set when the event was a (new) deployment, for the deployment history. */
  deployment: DeploymentRecord | null;
}

export function eventIdOf(event: LifecycleEvent): string {
  switch (event.type) {
    case 'alert':
      return event.alert.alertId;
    case 'snapshot':
      return event.snapshot.eventId;
    case 'deployed':
      return event.deployment.eventId;
    case 'retrainCompleted':
      return event.completion.eventId;
  }
}

export function modelIdOf(event: LifecycleEvent): string {
  switch (event.type) {
    case 'alert':
      return event.alert.modelId;
    case 'snapshot':
      return event.snapshot.modelId;
    case 'deployed':
      return event.deployment.modelId;
    case 'retrainCompleted':
      return event.completion.modelId;
  }
}

export function versionOf(event: LifecycleEvent): string {
  switch (event.type) {
    case 'alert':
      return event.alert.modelVersion;
    case 'snapshot':
      return event.snapshot.modelVersion;
    case 'deployed':
      return event.deployment.version;
    case 'retrainCompleted':
      return event.completion.newVersion;
  }
}
