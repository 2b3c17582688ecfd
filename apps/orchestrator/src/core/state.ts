import type { LifecycleAction } from './identity';

/**
 * Everything the engine remembers about one model, as plain JSON (times in epoch
 * milliseconds) so it can be stored as one row and reloaded after a restart.
 */
export interface ModelState {
  modelId: string;
  deployments: DeploymentRecord[];
  openIncidents: IncidentRecord[];
  /** Requests already made, kept for cooldown and the daily limit. */
  requests: { action: LifecycleAction; at: number; incidentId: string }[];
  performanceStreak: Streak | null;
  driftStreak: Streak | null;
  /** Whole-version snapshots, the most recent last, per version. */
  snapshots: Record<string, SnapshotSummary[]>;
  /** Ids of the latest events already handled: redelivered or duplicated events are recognised. */
  seenEventIds: string[];
}

export interface DeploymentRecord {
  eventId: string;
  version: string;
  deployedAt: number;
  reason: string;
  incidentId: string | null;
}

export interface IncidentRecord {
  incidentId: string;
  modelId: string;
  modelVersion: string;
  action: LifecycleAction;
  openingEventId: string;
  openedAt: number;
}

export interface EvidenceRecord {
  metric: string;
  value: number;
  threshold: number | null;
  baseline: number | null;
  feature: string | null;
  windowStart: number;
  windowEnd: number;
  sampleSize: number;
}

/** Consecutive CRITICAL observations of one version. */
export interface Streak {
  version: string;
  count: number;
  /** When the condition started (the earliest alert.since / window start seen). */
  since: number;
  lastAt: number;
  /** Consecutive healthy snapshots seen since the last CRITICAL one (hysteresis). */
  healthy: number;
  evidence: EvidenceRecord[];
}

export interface SnapshotSummary {
  eventId: string;
  windowStart: number;
  windowEnd: number;
  /**
   * Labelled predictions the snapshot's accuracy was computed over: `metrics.window_labelled`
   * (the monitor's rolling window) when present, else `labelledCount` (the monitor's is cumulative,
   * so it is only right for producers whose snapshots cover disjoint windows).
   */
  sampleSize: number;
  accuracy: number | null;
}

/**
 * A state as stored: summaries written before `sampleSize` existed carry `labelledCount`
 * instead (cumulative for the monitor; such a summary ages out within one probation).
 */
export function storedModelState(json: string): ModelState {
  const state = JSON.parse(json) as ModelState;
  for (const list of Object.values(state.snapshots)) {
    for (const summary of list as (SnapshotSummary & { labelledCount?: number })[]) {
      if (typeof summary.sampleSize !== 'number') summary.sampleSize = summary.labelledCount ?? 0;
      delete summary.labelledCount;
    }
  }
  return state;
}

export const SEEN_EVENT_IDS_KEPT = 2000;
export const SNAPSHOTS_KEPT_PER_VERSION = 200;
export const EVIDENCE_KEPT = 20;

export function emptyModelState(modelId: string): ModelState {
  return {
    modelId,
    deployments: [],
    openIncidents: [],
    requests: [],
    performanceStreak: null,
    driftStreak: null,
    snapshots: {},
    seenEventIds: [],
  };
}
