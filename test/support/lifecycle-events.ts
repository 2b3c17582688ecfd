/**
 * The orchestrator engine's input records for its unit specs: model `fraud`, times from
 * LIFECYCLE_T0 (an arbitrary instant), a CRITICAL accuracy-floor alert, a 5-minute snapshot.
 */
import type { Alert, MetricSnapshot, ModelDeployed } from '@vigil/contracts';
import type { LifecycleEvent } from '../../apps/orchestrator/src/core/lifecycle-events';

export const LIFECYCLE_T0 = new Date('2026-06-01T00:00:00Z').getTime();
export const MIN = 60_000;

/** Alert `a-<n>` observed n minutes after T0: accuracy 0.71 under a floor of 0.8 over 500 labels. */
export function alertEvent(n: number, extra: Partial<Alert> = {}): LifecycleEvent {
  const T0 = LIFECYCLE_T0;
  return {
    type: 'alert',
    alert: {
      alertId: `a-${n}`,
      modelId: 'fraud',
      modelVersion: 'v1',
      kind: 'PERFORMANCE',
      severity: 'CRITICAL',
      rule: 'accuracy_below_floor',
      since: new Date(T0),
      observedAt: new Date(T0 + n * MIN),
      message: 'accuracy 0.71 < 0.8',
      evidence: [{ metric: 'accuracy', value: 0.71, threshold: 0.8, baseline: null, feature: null, windowStart: new Date(T0), windowEnd: new Date(T0 + n * MIN), sampleSize: 500 }],
      ...extra,
    },
  };
}

export function deployedEvent(version: string, at: number, reason = 'manual', incidentId: string | null = null): LifecycleEvent {
  const deployment: ModelDeployed = { eventId: `d-${version}-${at}`, modelId: 'fraud', version, deployedAt: new Date(at), reason, incidentId, artifactUri: null };
  return { type: 'deployed', deployment };
}

/** A version-level snapshot of the 5 minutes from `start`, every prediction labelled. */
export function snapshotEvent(id: string, version: string, start: number, labelled: number, accuracy: number, extra: Partial<MetricSnapshot> = {}): LifecycleEvent {
  return {
    type: 'snapshot',
    snapshot: {
      eventId: id,
      modelId: 'fraud',
      modelVersion: version,
      segmentKey: '',
      segmentValue: '',
      windowStart: new Date(start),
      windowEnd: new Date(start + 5 * MIN),
      predictionCount: labelled,
      labelledCount: labelled,
      metrics: { accuracy },
      ...extra,
    },
  };
}
