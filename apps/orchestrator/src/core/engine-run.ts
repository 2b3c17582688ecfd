import type { Evidence } from '@vigil/contracts';
import { championAt } from './champion';
import { incidentIdFor, LifecycleAction } from './identity';
import { ClosedIncident, Decision, DecisionOutcome, EngineResult, eventIdOf, LifecycleEvent } from './lifecycle-events';
import type { LifecyclePolicy, ResolvedPolicy } from './policy';
import { DeploymentRecord, EVIDENCE_KEPT, EvidenceRecord, IncidentRecord, ModelState, Streak } from './state';

export const DAY_MS = 24 * 3600 * 1000;

export function toEvidenceRecord(e: Evidence): EvidenceRecord {
  return { ...e, windowStart: e.windowStart.getTime(), windowEnd: e.windowEnd.getTime() };
}

export function toEvidence(e: EvidenceRecord): Evidence {
  return { ...e, windowStart: new Date(e.windowStart), windowEnd: new Date(e.windowEnd) };
}

export function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}

/**
 * One event's pass over one model's state: what every decision shares (the audit trail,
 * streaks, opening and closing incidents). The decisions themselves are in
 * retrain-decisions.ts, rollback-decision.ts and deployment-decisions.ts.
 */
export class EngineRun {
  readonly decisions: Decision[] = [];
  readonly opened: EngineResult['opened'] = [];
  readonly closed: ClosedIncident[] = [];
  deployment: DeploymentRecord | null = null;
  readonly policy: LifecyclePolicy;

  constructor(
    readonly state: ModelState,
    readonly resolved: ResolvedPolicy,
    readonly now: number,
  ) {
    this.policy = resolved.policy;
  }

  result(): EngineResult {
    return { state: this.state, decisions: this.decisions, opened: this.opened, closed: this.closed, deployment: this.deployment };
  }

  decide(event: LifecycleEvent, version: string, action: Decision['action'], outcome: DecisionOutcome, reasons: string[], incidentId: string | null = null): void {
    this.decisions.push({
      modelId: this.state.modelId,
      modelVersion: version,
      sourceEventType: event.type,
      sourceEventId: eventIdOf(event),
      action,
      outcome,
      reasons,
      incidentId,
    });
  }

  champion(): DeploymentRecord | null {
    return championAt(this.state.deployments, this.now);
  }

  /** Alerts and snapshots about a version that no longer (or not yet) serves change nothing. */
  servesNow(event: LifecycleEvent, version: string): boolean {
    const champion = this.champion();
    if (champion === null || champion.version === version) return true;
    this.decide(event, version, 'none', 'not_champion', [
      `version ${version} is not the champion (${champion.version} serves since ${new Date(champion.deployedAt).toISOString()})`,
    ]);
    return false;
  }

  /** Adds one CRITICAL observation to a streak (a new one if none, another version, or expired). */
  extend(key: 'performanceStreak' | 'driftStreak', version: string, since: number, observedAt: number, evidence: EvidenceRecord[]): Streak {
    const current = this.state[key];
    const expired = current !== null && this.now - current.lastAt > this.policy.hysteresis.streakExpirySeconds * 1000;
    const streak: Streak = current === null || current.version !== version || expired ? { version, count: 0, since, lastAt: observedAt, healthy: 0, evidence: [] } : current;
    streak.count += 1;
    streak.since = Math.min(streak.since, since);
    streak.lastAt = Math.max(streak.lastAt, observedAt);
    streak.healthy = 0;
    streak.evidence = [...streak.evidence, ...evidence].slice(-EVIDENCE_KEPT);
    this.state[key] = streak;
    return streak;
  }

  /** While a retrain incident is open, further CRITICAL observations neither count nor request. */
  alreadyOpen(event: LifecycleEvent, version: string): boolean {
    const open = this.openIncident(version, 'retrain');
    if (!open) return false;
    this.decide(event, version, 'retrain', 'incident_already_open', [`incident ${open.incidentId} opened ${new Date(open.openedAt).toISOString()} is still open`], open.incidentId);
    return true;
  }

  openIncident(version: string, action: LifecycleAction): IncidentRecord | undefined {
    return this.state.openIncidents.find((i) => i.modelVersion === version && i.action === action);
  }

  open(version: string, action: LifecycleAction, openingEventId: string): IncidentRecord {
    const incident: IncidentRecord = {
      incidentId: incidentIdFor(this.state.modelId, version, action, openingEventId),
      modelId: this.state.modelId,
      modelVersion: version,
      action,
      openingEventId,
      openedAt: this.now,
    };
    this.state.openIncidents.push(incident);
    this.state.requests.push({ action, at: this.now, incidentId: incident.incidentId });
    // Only the last day (and the cooldown) matter; keep the list short.
    const horizon = this.now - Math.max(DAY_MS, this.policy.retrain.cooldownSeconds * 1000);
    this.state.requests = this.state.requests.filter((r) => r.at >= horizon);
    return incident;
  }

  close(event: LifecycleEvent, incidents: IncidentRecord[], resolution: string, version: string): void {
    for (const incident of incidents) {
      this.state.openIncidents = this.state.openIncidents.filter((i) => i.incidentId !== incident.incidentId);
      this.closed.push({ incident, closedAt: this.now, resolution });
      this.decide(event, version, incident.action, 'incident_closed', [`incident on ${incident.modelVersion} closed by ${resolution}`], incident.incidentId);
    }
  }
}
