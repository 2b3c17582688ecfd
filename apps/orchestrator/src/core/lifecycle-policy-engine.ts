import type { Alert, Evidence, MetricSnapshot, ModelDeployed, RetrainCompleted, RetrainRequested, RollbackRequested } from '@vigil/contracts';
import { ALERT_RULES, countsTowardRetrain, isAlertRule } from '@vigil/contracts';
import { twoProportionZTest } from '@vigil/monitoring';
import { championAt, previousChampion } from './champion';
import { incidentIdFor, LifecycleAction, requestEventIdFor } from './identity';
import type { LifecyclePolicy, ResolvedPolicy } from './policy';
import {
  DeploymentRecord,
  EVIDENCE_KEPT,
  EvidenceRecord,
  IncidentRecord,
  ModelState,
  SEEN_EVENT_IDS_KEPT,
  SNAPSHOTS_KEPT_PER_VERSION,
  SnapshotSummary,
  Streak,
} from './state';

export type LifecycleEvent =
  | { type: 'alert'; alert: Alert }
  | { type: 'snapshot'; snapshot: MetricSnapshot }
  | { type: 'deployed'; deployment: ModelDeployed }
  | { type: 'retrainCompleted'; completion: RetrainCompleted };

export type DecisionOutcome =
  | 'retrain_requested'
  | 'rollback_requested'
  | 'duplicate_event'
  | 'incident_already_open'
  | 'suppressed_cooldown'
  | 'suppressed_daily_limit'
  | 'insufficient_evidence'
  | 'evidence_recorded'
  | 'streak_cleared'
  | 'not_champion'
  | 'not_a_trigger'
  | 'no_action'
  | 'deployment_recorded'
  | 'incident_closed';

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

export type LifecycleRequest =
  | { action: 'retrain'; event: RetrainRequested }
  | { action: 'rollback'; event: RollbackRequested };

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

const DAY_MS = 24 * 3600 * 1000;

/**
 * The lifecycle decisions, with no I/O: (state of one model, one event, its policy,
 * now) → (next state, decisions, incidents opened and closed). The service persists
 * the result and produces the requests; replaying the same event on the same state
 * gives the same incident ids, so a redelivery can never mint a second incident.
 * The input state is never modified; the result's `state` is that same object when the
 * event changed nothing (a duplicate), so a caller can skip persisting it.
 */
export class LifecyclePolicyEngine {
  decide(state: ModelState, event: LifecycleEvent, resolved: ResolvedPolicy, now: number): EngineResult {
    const id = eventIdOf(event);
    if (state.seenEventIds.includes(id)) {
      // Only records a decision: the state is shared, not copied.
      const duplicate = new EngineRun(state, resolved, now);
      duplicate.decide(event, versionOf(event), 'none', 'duplicate_event', [`event ${id} was already handled`]);
      return duplicate.result();
    }
    const run = new EngineRun(structuredClone(state), resolved, now);
    run.state.seenEventIds.push(id);
    if (run.state.seenEventIds.length > SEEN_EVENT_IDS_KEPT) run.state.seenEventIds.splice(0, run.state.seenEventIds.length - SEEN_EVENT_IDS_KEPT);
    switch (event.type) {
      case 'alert':
        run.onAlert(event, event.alert);
        break;
      case 'snapshot':
        run.onSnapshot(event, event.snapshot);
        break;
      case 'deployed':
        run.onDeployed(event, event.deployment);
        break;
      case 'retrainCompleted':
        run.onRetrainCompleted(event, event.completion);
        break;
    }
    return run.result();
  }
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

function versionOf(event: LifecycleEvent): string {
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

function toEvidenceRecord(e: Evidence): EvidenceRecord {
  return { ...e, windowStart: e.windowStart.getTime(), windowEnd: e.windowEnd.getTime() };
}

function toEvidence(e: EvidenceRecord): Evidence {
  return { ...e, windowStart: new Date(e.windowStart), windowEnd: new Date(e.windowEnd) };
}

/**
 * The snapshots (sorted by windowEnd) whose windows do not overlap, oldest first: walking from the
 * newest back, a snapshot is kept only when it ends no later than the last kept one starts.
 * The monitor's windows roll (each snapshot re-measures most of the previous one's labels), so
 * summing them all would count the same labelled predictions several times.
 */
function disjointWindows(sorted: readonly SnapshotSummary[]): SnapshotSummary[] {
  const kept: SnapshotSummary[] = [];
  for (let i = sorted.length - 1; i >= 0; i--) {
    const s = sorted[i];
    if (kept.length === 0 || s.windowEnd <= kept[kept.length - 1].windowStart) kept.push(s);
  }
  return kept.reverse();
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}

class EngineRun {
  readonly decisions: Decision[] = [];
  readonly opened: EngineResult['opened'] = [];
  readonly closed: ClosedIncident[] = [];
  deployment: DeploymentRecord | null = null;
  private readonly policy: LifecyclePolicy;

  constructor(
    readonly state: ModelState,
    private readonly resolved: ResolvedPolicy,
    private readonly now: number,
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

  private champion(): DeploymentRecord | null {
    return championAt(this.state.deployments, this.now);
  }

  /** Alerts and snapshots about a version that no longer (or not yet) serves change nothing. */
  private servesNow(event: LifecycleEvent, version: string): boolean {
    const champion = this.champion();
    if (champion === null || champion.version === version) return true;
    this.decide(event, version, 'none', 'not_champion', [`version ${version} is not the champion (${champion.version} serves since ${new Date(champion.deployedAt).toISOString()})`]);
    return false;
  }

  onAlert(event: LifecycleEvent, alert: Alert): void {
    if (!this.servesNow(event, alert.modelVersion)) return;
    const { performance, drift } = this.policy.retrain;
    const isPerformance = performance.kinds.includes(alert.kind) && (performance.rules.length === 0 || (isAlertRule(alert.rule) && performance.rules.includes(alert.rule)));
    const driftedFeatures = alert.kind === 'DRIFT' ? alert.evidence.map((e) => e.feature).filter((f): f is string => f !== null && drift.importantFeatures.includes(f)) : [];
    if (!isPerformance && driftedFeatures.length === 0) {
      this.decide(event, alert.modelVersion, 'none', 'not_a_trigger', [
        alert.kind === 'DRIFT'
          ? `drift alert ${alert.rule} names no important feature (${drift.importantFeatures.join(', ') || 'none configured'})`
          : `alert kind ${alert.kind} / rule ${alert.rule} is not a retrain trigger of this policy`,
      ]);
      return;
    }
    if (!countsTowardRetrain(alert.rule, alert.severity)) {
      const from = isAlertRule(alert.rule) ? ALERT_RULES[alert.rule].retrainFrom : null;
      this.decide(event, alert.modelVersion, 'none', 'no_action', [
        from === null
          ? `alert ${alert.rule} never counts toward a retrain (ALERT_RULES)`
          : `${alert.severity} alert ${alert.rule}: only ${from} alerts of this rule count toward a retrain (ALERT_RULES)`,
      ]);
      return;
    }
    if (this.alreadyOpen(event, alert.modelVersion)) return;
    const evidence = alert.evidence.map(toEvidenceRecord);
    if (isPerformance) {
      const streak = this.extend('performanceStreak', alert.modelVersion, alert.since.getTime(), alert.observedAt.getTime(), evidence);
      this.evaluatePerformance(event, streak, `alert ${alert.rule}`);
    } else {
      const streak = this.extend('driftStreak', alert.modelVersion, alert.since.getTime(), alert.observedAt.getTime(), evidence);
      const needed = drift.consecutiveCritical;
      if (streak.count < needed) {
        this.decide(event, alert.modelVersion, 'retrain', 'evidence_recorded', [`critical drift on ${driftedFeatures.join(', ')}: ${streak.count} of ${needed} consecutive observations`]);
        return;
      }
      this.requestRetrain(event, alert.modelVersion, 'driftStreak', `critical drift on important feature(s) ${driftedFeatures.join(', ')} in ${streak.count} consecutive observations`);
    }
  }

  /** Adds one CRITICAL observation to a streak (a new one if none, another version, or expired). */
  private extend(key: 'performanceStreak' | 'driftStreak', version: string, since: number, observedAt: number, evidence: EvidenceRecord[]): Streak {
    const current = this.state[key];
    const expired = current !== null && this.now - current.lastAt > this.policy.hysteresis.streakExpirySeconds * 1000;
    const streak: Streak =
      current === null || current.version !== version || expired
        ? { version, count: 0, since, lastAt: observedAt, healthy: 0, evidence: [] }
        : current;
    streak.count += 1;
    streak.since = Math.min(streak.since, since);
    streak.lastAt = Math.max(streak.lastAt, observedAt);
    streak.healthy = 0;
    streak.evidence = [...streak.evidence, ...evidence].slice(-EVIDENCE_KEPT);
    this.state[key] = streak;
    return streak;
  }

  private evaluatePerformance(event: LifecycleEvent, streak: Streak, what: string): void {
    const { consecutiveCritical, sustainedSeconds, minEvidence } = this.policy.retrain.performance;
    const heldSeconds = (streak.lastAt - streak.since) / 1000;
    const byCount = streak.count >= consecutiveCritical;
    const byDuration = heldSeconds >= sustainedSeconds && streak.count >= minEvidence;
    if (!byCount && !byDuration) {
      this.decide(event, streak.version, 'retrain', 'evidence_recorded', [
        `${what}: ${streak.count} of ${consecutiveCritical} consecutive CRITICAL observations`,
        `condition held ${round(heldSeconds)} s of ${sustainedSeconds} s (with at least ${minEvidence} observations)`,
      ]);
      return;
    }
    const why = byCount
      ? `${streak.count} consecutive CRITICAL performance observations (policy: ${consecutiveCritical})`
      : `CRITICAL performance for ${round(heldSeconds)} s over ${streak.count} observations (policy: ${sustainedSeconds} s, at least ${minEvidence})`;
    this.requestRetrain(event, streak.version, 'performanceStreak', why);
  }

  private requestRetrain(event: LifecycleEvent, version: string, streakKey: 'performanceStreak' | 'driftStreak', why: string): void {
    const { enabled, cooldownSeconds, maxPerDay } = this.policy.retrain;
    const open = this.openIncident(version, 'retrain');
    if (open) {
      this.decide(event, version, 'retrain', 'incident_already_open', [why, `incident ${open.incidentId} opened ${new Date(open.openedAt).toISOString()} is still open`], open.incidentId);
      return;
    }
    if (!enabled) {
      this.decide(event, version, 'retrain', 'no_action', [why, 'retrain is disabled by the policy']);
      return;
    }
    const retrains = this.state.requests.filter((r) => r.action === 'retrain');
    const last = retrains.at(-1);
    if (last && this.now - last.at < cooldownSeconds * 1000) {
      this.decide(event, version, 'retrain', 'suppressed_cooldown', [
        why,
        `last retrain request ${new Date(last.at).toISOString()} is within the ${cooldownSeconds} s cooldown`,
      ]);
      return;
    }
    const today = retrains.filter((r) => this.now - r.at < DAY_MS).length;
    if (today >= maxPerDay) {
      this.decide(event, version, 'retrain', 'suppressed_daily_limit', [why, `${today} retrain requests in the last 24 h (policy: at most ${maxPerDay})`]);
      return;
    }
    const streak = this.state[streakKey];
    const evidence = (streak?.evidence ?? []).map(toEvidence);
    const incident = this.open(version, 'retrain', eventIdOf(event));
    const request: RetrainRequested = {
      eventId: requestEventIdFor(incident.incidentId),
      incidentId: incident.incidentId,
      modelId: this.state.modelId,
      modelVersion: version,
      requestedAt: new Date(this.now),
      policy: this.resolved.name,
      reason: why,
      evidence,
    };
    this.state[streakKey] = null;
    this.opened.push({ incident, request: { action: 'retrain', event: request } });
    this.decide(event, version, 'retrain', 'retrain_requested', [why], incident.incidentId);
  }

  /** While a retrain incident is open, further CRITICAL observations neither count nor request. */
  private alreadyOpen(event: LifecycleEvent, version: string): boolean {
    const open = this.openIncident(version, 'retrain');
    if (!open) return false;
    this.decide(event, version, 'retrain', 'incident_already_open', [`incident ${open.incidentId} opened ${new Date(open.openedAt).toISOString()} is still open`], open.incidentId);
    return true;
  }

  private openIncident(version: string, action: LifecycleAction): IncidentRecord | undefined {
    return this.state.openIncidents.find((i) => i.modelVersion === version && i.action === action);
  }

  private open(version: string, action: LifecycleAction, openingEventId: string): IncidentRecord {
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

  onSnapshot(event: LifecycleEvent, snapshot: MetricSnapshot): void {
    const version = snapshot.modelVersion;
    if (snapshot.segmentKey !== '') {
      this.decide(event, version, 'none', 'not_a_trigger', [`segment snapshot ${snapshot.segmentKey}=${snapshot.segmentValue}: lifecycle decisions use whole-version snapshots`]);
      return;
    }
    const accuracy = snapshot.metrics.accuracy;
    const windowLabelled = snapshot.metrics.window_labelled;
    const summary: SnapshotSummary = {
      eventId: snapshot.eventId,
      windowStart: snapshot.windowStart.getTime(),
      windowEnd: snapshot.windowEnd.getTime(),
      // The monitor's labelledCount is cumulative; its accuracy is over the last window_labelled only.
      sampleSize: typeof windowLabelled === 'number' && Number.isFinite(windowLabelled) ? windowLabelled : snapshot.labelledCount,
      accuracy: typeof accuracy === 'number' && Number.isFinite(accuracy) ? accuracy : null,
    };
    const kept = [...(this.state.snapshots[version] ?? []), summary].sort((a, b) => a.windowEnd - b.windowEnd);
    this.state.snapshots[version] = kept.slice(-SNAPSHOTS_KEPT_PER_VERSION);
    if (!this.servesNow(event, version)) return;
    if (this.evaluateProbation(event, version)) return;
    this.evaluateFloor(event, summary, version);
  }

  /** Returns true when a rollback decision (of any outcome but "not on probation") was made. */
  private evaluateProbation(event: LifecycleEvent, version: string): boolean {
    const rollback = this.policy.rollback;
    const champion = this.champion();
    if (!rollback.enabled || champion === null || champion.version !== version) return false;
    if (this.now - champion.deployedAt > rollback.probationSeconds * 1000) return false;
    // A rollback restores a known-good version: judging it against the bad one would ping-pong.
    if (champion.reason === 'rollback') return false;
    const previous = previousChampion(this.state.deployments, champion);
    if (previous === null) return false;
    const open = this.openIncident(version, 'rollback');
    if (open) {
      this.decide(event, version, 'rollback', 'incident_already_open', [`incident ${open.incidentId} already asked to roll ${version} back`], open.incidentId);
      return true;
    }
    const candidate = disjointWindows((this.state.snapshots[version] ?? []).filter((s) => s.windowStart >= champion.deployedAt && s.accuracy !== null));
    const baseline = disjointWindows((this.state.snapshots[previous.version] ?? []).filter((s) => s.windowEnd <= champion.deployedAt && s.accuracy !== null)).slice(
      -rollback.baselineSnapshots,
    );
    const tally = (list: SnapshotSummary[]) => ({
      trials: list.reduce((n, s) => n + s.sampleSize, 0),
      // Snapshots carry a rate; the count of correct predictions is rate × sample size.
      successes: list.reduce((n, s) => n + Math.round((s.accuracy ?? 0) * s.sampleSize), 0),
    });
    const candidateTally = tally(candidate);
    const baselineTally = tally(baseline);
    if (candidateTally.trials < rollback.minSampleSize || baselineTally.trials < rollback.minSampleSize) {
      this.decide(event, version, 'rollback', 'insufficient_evidence', [
        `on probation since ${new Date(champion.deployedAt).toISOString()}: ${candidateTally.trials} labelled predictions of ${version} and ${baselineTally.trials} of ${previous.version} (policy: at least ${rollback.minSampleSize} each)`,
      ]);
      return true;
    }
    const test = twoProportionZTest(baselineTally, candidateTally);
    const comparison = `accuracy ${round(test.candidateRate)} (${version}, n=${candidateTally.trials}) vs ${round(test.baselineRate)} (${previous.version}, n=${baselineTally.trials}): drop ${round(test.drop)}, z=${round(test.z)}, one-sided p=${test.pValue.toPrecision(3)}`;
    if (test.drop < rollback.margin || test.pValue >= rollback.alpha) {
      this.decide(event, version, 'rollback', 'no_action', [
        comparison,
        test.drop < rollback.margin ? `drop below the margin ${rollback.margin}` : `not significant at alpha ${rollback.alpha}`,
      ]);
      return true;
    }
    const incident = this.open(version, 'rollback', eventIdOf(event));
    const window = (list: SnapshotSummary[]) => ({ windowStart: new Date(list[0].windowStart), windowEnd: new Date(list[list.length - 1].windowEnd) });
    const request: RollbackRequested = {
      eventId: requestEventIdFor(incident.incidentId),
      incidentId: incident.incidentId,
      modelId: this.state.modelId,
      fromVersion: version,
      toVersion: previous.version,
      requestedAt: new Date(this.now),
      policy: this.resolved.name,
      reason: `${version} deployed ${new Date(champion.deployedAt).toISOString()} performs significantly worse than ${previous.version}: ${comparison}`,
      evidence: [
        { metric: 'accuracy', value: test.candidateRate, threshold: test.baselineRate - rollback.margin, baseline: test.baselineRate, feature: null, sampleSize: candidateTally.trials, ...window(candidate) },
        { metric: 'accuracy_baseline', value: test.baselineRate, threshold: null, baseline: null, feature: null, sampleSize: baselineTally.trials, ...window(baseline) },
        { metric: 'two_proportion_z_p_value', value: test.pValue, threshold: rollback.alpha, baseline: null, feature: null, sampleSize: candidateTally.trials + baselineTally.trials, ...window(candidate) },
      ],
    };
    this.opened.push({ incident, request: { action: 'rollback', event: request } });
    this.decide(event, version, 'rollback', 'rollback_requested', [comparison], incident.incidentId);
    return true;
  }

  private evaluateFloor(event: LifecycleEvent, summary: SnapshotSummary, version: string): void {
    const { accuracyFloor, minSampleSize } = this.policy.retrain.performance;
    if (accuracyFloor === null || summary.accuracy === null) {
      this.decide(event, version, 'none', 'no_action', [accuracyFloor === null ? 'no accuracy floor configured: snapshot recorded' : 'snapshot has no accuracy']);
      return;
    }
    if (summary.sampleSize < minSampleSize) {
      this.decide(event, version, 'retrain', 'insufficient_evidence', [`${summary.sampleSize} labelled predictions in the window (policy: at least ${minSampleSize})`]);
      return;
    }
    if (summary.accuracy < accuracyFloor) {
      if (this.alreadyOpen(event, version)) return;
      const evidence: EvidenceRecord = {
        metric: 'accuracy',
        value: summary.accuracy,
        threshold: accuracyFloor,
        baseline: null,
        feature: null,
        windowStart: summary.windowStart,
        windowEnd: summary.windowEnd,
        sampleSize: summary.sampleSize,
      };
      const streak = this.extend('performanceStreak', version, summary.windowStart, summary.windowEnd, [evidence]);
      this.evaluatePerformance(event, streak, `accuracy ${round(summary.accuracy)} below the floor ${accuracyFloor}`);
      return;
    }
    const { margin, healthyToClear } = this.policy.hysteresis;
    const streak = this.state.performanceStreak;
    if (summary.accuracy < accuracyFloor + margin) {
      // Not healthy either: the healthy run needed to clear the streak starts over.
      if (streak !== null && streak.version === version) streak.healthy = 0;
      this.decide(event, version, 'none', 'no_action', [`accuracy ${round(summary.accuracy)} within the hysteresis band [${accuracyFloor}, ${round(accuracyFloor + margin)}): streak kept, healthy run reset`]);
      return;
    }
    if (streak === null || streak.version !== version) {
      this.decide(event, version, 'none', 'no_action', [`accuracy ${round(summary.accuracy)} healthy`]);
      return;
    }
    streak.healthy += 1;
    if (streak.healthy >= healthyToClear) {
      this.state.performanceStreak = null;
      this.decide(event, version, 'retrain', 'streak_cleared', [`${streak.healthy} consecutive healthy snapshots (≥ ${round(accuracyFloor + margin)}) clear ${streak.count} CRITICAL observations`]);
      return;
    }
    this.decide(event, version, 'retrain', 'no_action', [`healthy snapshot ${streak.healthy} of ${healthyToClear} needed to clear the streak`]);
  }

  onDeployed(event: LifecycleEvent, deployed: ModelDeployed): void {
    const record: DeploymentRecord = {
      eventId: deployed.eventId,
      version: deployed.version,
      deployedAt: deployed.deployedAt.getTime(),
      reason: deployed.reason,
      incidentId: deployed.incidentId,
    };
    this.state.deployments = [...this.state.deployments, record].sort((a, b) => a.deployedAt - b.deployedAt);
    this.deployment = record;
    this.decide(event, deployed.version, 'none', 'deployment_recorded', [`${deployed.version} deployed ${deployed.deployedAt.toISOString()} (${deployed.reason})`], deployed.incidentId);
    // A new champion answers every incident about another version, and the one it names.
    const answered = this.state.openIncidents.filter((i) => i.modelVersion !== deployed.version || i.incidentId === deployed.incidentId);
    this.close(event, answered, `deployment of ${deployed.version} (${deployed.reason})`, deployed.version);
    // Streaks about the version that stopped serving are moot; one about this version stays.
    if (this.state.performanceStreak?.version !== deployed.version) this.state.performanceStreak = null;
    if (this.state.driftStreak?.version !== deployed.version) this.state.driftStreak = null;
    this.pruneSnapshots(record);
    // Snapshots and deployments travel on different topics: the new version's first
    // snapshots may have arrived before this event, so judge them now.
    const early = (this.state.snapshots[deployed.version] ?? []).some((s) => s.windowStart >= record.deployedAt);
    if (early) this.evaluateProbation(event, deployed.version);
  }

  /**
   * Probation compares the champion with its predecessor only: snapshots of versions
   * that served before that are dropped (those of never-deployed versions are kept,
   * their deployment may still be on its way).
   */
  private pruneSnapshots(champion: DeploymentRecord): void {
    const previous = previousChampion(this.state.deployments, champion);
    const deployed = new Set(this.state.deployments.map((d) => d.version));
    for (const version of Object.keys(this.state.snapshots)) {
      if (deployed.has(version) && version !== champion.version && version !== previous?.version) delete this.state.snapshots[version];
    }
  }

  onRetrainCompleted(event: LifecycleEvent, completion: RetrainCompleted): void {
    const answered = this.state.openIncidents.filter((i) =>
      completion.incidentId !== null ? i.incidentId === completion.incidentId : i.action === 'retrain',
    );
    if (answered.length === 0) {
      this.decide(event, completion.newVersion, 'retrain', 'no_action', [`no open retrain incident ${completion.incidentId ?? 'of the model'} to close`], completion.incidentId);
      return;
    }
    const outcome = completion.succeeded ? `retrain completed (new version ${completion.newVersion})` : 'retrain failed';
    this.close(event, answered, outcome, completion.newVersion);
  }

  private close(event: LifecycleEvent, incidents: IncidentRecord[], resolution: string, version: string): void {
    for (const incident of incidents) {
      this.state.openIncidents = this.state.openIncidents.filter((i) => i.incidentId !== incident.incidentId);
      this.closed.push({ incident, closedAt: this.now, resolution });
      this.decide(event, version, incident.action, 'incident_closed', [`incident on ${incident.modelVersion} closed by ${resolution}`], incident.incidentId);
    }
  }
}
