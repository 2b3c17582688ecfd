import type { RollbackRequested } from '@vigil/contracts';
import { twoProportionZTest } from '@vigil/monitoring';
import { previousChampion } from './champion';
import { EngineRun, round } from './engine-run';
import { requestEventIdFor } from './identity';
import { eventIdOf, LifecycleEvent } from './lifecycle-events';
import type { SnapshotSummary } from './state';

/**
 * The rollback decision: a champion on probation is compared with the version it replaced
 * (one-sided two-proportion z-test on accuracy) and rolled back when it is significantly
 * and materially worse.
 */

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

/** Returns true when a rollback decision (of any outcome but "not on probation") was made. */
export function evaluateProbation(run: EngineRun, event: LifecycleEvent, version: string): boolean {
  const rollback = run.policy.rollback;
  const champion = run.champion();
  if (!rollback.enabled || champion === null || champion.version !== version) return false;
  if (run.now - champion.deployedAt > rollback.probationSeconds * 1000) return false;
  // A rollback restores a known-good version: judging it against the bad one would ping-pong.
  if (champion.reason === 'rollback') return false;
  const previous = previousChampion(run.state.deployments, champion);
  if (previous === null) return false;
  const open = run.openIncident(version, 'rollback');
  if (open) {
    run.decide(event, version, 'rollback', 'incident_already_open', [`incident ${open.incidentId} already asked to roll ${version} back`], open.incidentId);
    return true;
  }
  const candidate = disjointWindows((run.state.snapshots[version] ?? []).filter((s) => s.windowStart >= champion.deployedAt && s.accuracy !== null));
  const baseline = disjointWindows((run.state.snapshots[previous.version] ?? []).filter((s) => s.windowEnd <= champion.deployedAt && s.accuracy !== null)).slice(
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
    run.decide(event, version, 'rollback', 'insufficient_evidence', [
      `on probation since ${new Date(champion.deployedAt).toISOString()}: ${candidateTally.trials} labelled predictions of ${version} and ${baselineTally.trials} of ${previous.version} (policy: at least ${rollback.minSampleSize} each)`,
    ]);
    return true;
  }
  const test = twoProportionZTest(baselineTally, candidateTally);
  const comparison = `accuracy ${round(test.candidateRate)} (${version}, n=${candidateTally.trials}) vs ${round(test.baselineRate)} (${previous.version}, n=${baselineTally.trials}): drop ${round(test.drop)}, z=${round(test.z)}, one-sided p=${test.pValue.toPrecision(3)}`;
  if (test.drop < rollback.margin || test.pValue >= rollback.alpha) {
    run.decide(event, version, 'rollback', 'no_action', [
      comparison,
      test.drop < rollback.margin ? `drop below the margin ${rollback.margin}` : `not significant at alpha ${rollback.alpha}`,
    ]);
    return true;
  }
  const incident = run.open(version, 'rollback', eventIdOf(event));
  const window = (list: SnapshotSummary[]) => ({ windowStart: new Date(list[0].windowStart), windowEnd: new Date(list[list.length - 1].windowEnd) });
  const request: RollbackRequested = {
    eventId: requestEventIdFor(incident.incidentId),
    incidentId: incident.incidentId,
    modelId: run.state.modelId,
    fromVersion: version,
    toVersion: previous.version,
    requestedAt: new Date(run.now),
    policy: run.resolved.name,
    reason: `${version} deployed ${new Date(champion.deployedAt).toISOString()} performs significantly worse than ${previous.version}: ${comparison}`,
    evidence: [
      {
        metric: 'accuracy',
        value: test.candidateRate,
        threshold: test.baselineRate - rollback.margin,
        baseline: test.baselineRate,
        feature: null,
        sampleSize: candidateTally.trials,
        ...window(candidate),
      },
      { metric: 'accuracy_baseline', value: test.baselineRate, threshold: null, baseline: null, feature: null, sampleSize: baselineTally.trials, ...window(baseline) },
      {
        metric: 'two_proportion_z_p_value',
        value: test.pValue,
        threshold: rollback.alpha,
        baseline: null,
        feature: null,
        sampleSize: candidateTally.trials + baselineTally.trials,
        ...window(candidate),
      },
    ],
  };
  run.opened.push({ incident, request: { action: 'rollback', event: request } });
  run.decide(event, version, 'rollback', 'rollback_requested', [comparison], incident.incidentId);
  return true;
}
