import type { Alert } from '@vigil/contracts';
import { ALERT_RULES, countsTowardRetrain, isAlertRule, RetrainRequested } from '@vigil/contracts';
import { requestEventIdFor } from './identity';
import { EngineRun, DAY_MS, round, toEvidence, toEvidenceRecord } from './engine-run';
import { eventIdOf, LifecycleEvent } from './lifecycle-events';
import type { EvidenceRecord, SnapshotSummary, Streak } from './state';

/**
 * Retrain decisions: alerts and below-floor snapshots extend a streak of CRITICAL
 * observations; a long enough (or long-held) streak opens a retrain incident, unless the
 * policy, its cooldown or its daily limit says no; healthy snapshots clear the streak.
 */

export function onAlert(run: EngineRun, event: LifecycleEvent, alert: Alert): void {
  if (!run.servesNow(event, alert.modelVersion)) return;
  const { performance, drift } = run.policy.retrain;
  const isPerformance = performance.kinds.includes(alert.kind) && (performance.rules.length === 0 || (isAlertRule(alert.rule) && performance.rules.includes(alert.rule)));
  const driftedFeatures = alert.kind === 'DRIFT' ? alert.evidence.map((e) => e.feature).filter((f): f is string => f !== null && drift.importantFeatures.includes(f)) : [];
  if (!isPerformance && driftedFeatures.length === 0) {
    run.decide(event, alert.modelVersion, 'none', 'not_a_trigger', [
      alert.kind === 'DRIFT'
        ? `drift alert ${alert.rule} names no important feature (${drift.importantFeatures.join(', ') || 'none configured'})`
        : `alert kind ${alert.kind} / rule ${alert.rule} is not a retrain trigger of this policy`,
    ]);
    return;
  }
  if (!countsTowardRetrain(alert.rule, alert.severity)) {
    const from = isAlertRule(alert.rule) ? ALERT_RULES[alert.rule].retrainFrom : null;
    run.decide(event, alert.modelVersion, 'none', 'no_action', [
      from === null
        ? `alert ${alert.rule} never counts toward a retrain (ALERT_RULES)`
        : `${alert.severity} alert ${alert.rule}: only ${from} alerts of this rule count toward a retrain (ALERT_RULES)`,
    ]);
    return;
  }
  if (run.alreadyOpen(event, alert.modelVersion)) return;
  const evidence = alert.evidence.map(toEvidenceRecord);
  if (isPerformance) {
    const streak = run.extend('performanceStreak', alert.modelVersion, alert.since.getTime(), alert.observedAt.getTime(), evidence);
    evaluatePerformance(run, event, streak, `alert ${alert.rule}`);
  } else {
    const streak = run.extend('driftStreak', alert.modelVersion, alert.since.getTime(), alert.observedAt.getTime(), evidence);
    const needed = drift.consecutiveCritical;
    if (streak.count < needed) {
      run.decide(event, alert.modelVersion, 'retrain', 'evidence_recorded', [
        `critical drift on ${driftedFeatures.join(', ')}: ${streak.count} of ${needed} consecutive observations`,
      ]);
      return;
    }
    requestRetrain(
      run,
      event,
      alert.modelVersion,
      'driftStreak',
      `critical drift on important feature(s) ${driftedFeatures.join(', ')} in ${streak.count} consecutive observations`,
    );
  }
}

function evaluatePerformance(run: EngineRun, event: LifecycleEvent, streak: Streak, what: string): void {
  const { consecutiveCritical, sustainedSeconds, minEvidence } = run.policy.retrain.performance;
  const heldSeconds = (streak.lastAt - streak.since) / 1000;
  const byCount = streak.count >= consecutiveCritical;
  const byDuration = heldSeconds >= sustainedSeconds && streak.count >= minEvidence;
  if (!byCount && !byDuration) {
    run.decide(event, streak.version, 'retrain', 'evidence_recorded', [
      `${what}: ${streak.count} of ${consecutiveCritical} consecutive CRITICAL observations`,
      `condition held ${round(heldSeconds)} s of ${sustainedSeconds} s (with at least ${minEvidence} observations)`,
    ]);
    return;
  }
  const why = byCount
    ? `${streak.count} consecutive CRITICAL performance observations (policy: ${consecutiveCritical})`
    : `CRITICAL performance for ${round(heldSeconds)} s over ${streak.count} observations (policy: ${sustainedSeconds} s, at least ${minEvidence})`;
  requestRetrain(run, event, streak.version, 'performanceStreak', why);
}

function requestRetrain(run: EngineRun, event: LifecycleEvent, version: string, streakKey: 'performanceStreak' | 'driftStreak', why: string): void {
  const { enabled, cooldownSeconds, maxPerDay } = run.policy.retrain;
  const open = run.openIncident(version, 'retrain');
  if (open) {
    run.decide(
      event,
      version,
      'retrain',
      'incident_already_open',
      [why, `incident ${open.incidentId} opened ${new Date(open.openedAt).toISOString()} is still open`],
      open.incidentId,
    );
    return;
  }
  if (!enabled) {
    run.decide(event, version, 'retrain', 'no_action', [why, 'retrain is disabled by the policy']);
    return;
  }
  const retrains = run.state.requests.filter((r) => r.action === 'retrain');
  const last = retrains.at(-1);
  if (last && run.now - last.at < cooldownSeconds * 1000) {
    run.decide(event, version, 'retrain', 'suppressed_cooldown', [why, `last retrain request ${new Date(last.at).toISOString()} is within the ${cooldownSeconds} s cooldown`]);
    return;
  }
  const today = retrains.filter((r) => run.now - r.at < DAY_MS).length;
  if (today >= maxPerDay) {
    run.decide(event, version, 'retrain', 'suppressed_daily_limit', [why, `${today} retrain requests in the last 24 h (policy: at most ${maxPerDay})`]);
    return;
  }
  const streak = run.state[streakKey];
  const evidence = (streak?.evidence ?? []).map(toEvidence);
  const incident = run.open(version, 'retrain', eventIdOf(event));
  const request: RetrainRequested = {
    eventId: requestEventIdFor(incident.incidentId),
    incidentId: incident.incidentId,
    modelId: run.state.modelId,
    modelVersion: version,
    requestedAt: new Date(run.now),
    policy: run.resolved.name,
    reason: why,
    evidence,
  };
  run.state[streakKey] = null;
  run.opened.push({ incident, request: { action: 'retrain', event: request } });
  run.decide(event, version, 'retrain', 'retrain_requested', [why], incident.incidentId);
}

export function evaluateFloor(run: EngineRun, event: LifecycleEvent, summary: SnapshotSummary, version: string): void {
  const { accuracyFloor, minSampleSize } = run.policy.retrain.performance;
  if (accuracyFloor === null || summary.accuracy === null) {
    run.decide(event, version, 'none', 'no_action', [accuracyFloor === null ? 'no accuracy floor configured: snapshot recorded' : 'snapshot has no accuracy']);
    return;
  }
  if (summary.sampleSize < minSampleSize) {
    run.decide(event, version, 'retrain', 'insufficient_evidence', [`${summary.sampleSize} labelled predictions in the window (policy: at least ${minSampleSize})`]);
    return;
  }
  if (summary.accuracy < accuracyFloor) {
    if (run.alreadyOpen(event, version)) return;
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
    const streak = run.extend('performanceStreak', version, summary.windowStart, summary.windowEnd, [evidence]);
    evaluatePerformance(run, event, streak, `accuracy ${round(summary.accuracy)} below the floor ${accuracyFloor}`);
    return;
  }
  const { margin, healthyToClear } = run.policy.hysteresis;
  const streak = run.state.performanceStreak;
  if (summary.accuracy < accuracyFloor + margin) {
    // Not healthy either: the healthy run needed to clear the streak starts over.
    if (streak !== null && streak.version === version) streak.healthy = 0;
    run.decide(event, version, 'none', 'no_action', [
      `accuracy ${round(summary.accuracy)} within the hysteresis band [${accuracyFloor}, ${round(accuracyFloor + margin)}): streak kept, healthy run reset`,
    ]);
    return;
  }
  if (streak === null || streak.version !== version) {
    run.decide(event, version, 'none', 'no_action', [`accuracy ${round(summary.accuracy)} healthy`]);
    return;
  }
  streak.healthy += 1;
  if (streak.healthy >= healthyToClear) {
    run.state.performanceStreak = null;
    run.decide(event, version, 'retrain', 'streak_cleared', [
      `${streak.healthy} consecutive healthy snapshots (≥ ${round(accuracyFloor + margin)}) clear ${streak.count} CRITICAL observations`,
    ]);
    return;
  }
  run.decide(event, version, 'retrain', 'no_action', [`healthy snapshot ${streak.healthy} of ${healthyToClear} needed to clear the streak`]);
}
