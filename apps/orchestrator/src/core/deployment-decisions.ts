import type { ModelDeployed, RetrainCompleted } from '@vigil/contracts';
import { previousChampion } from './champion';
import { EngineRun } from './engine-run';
import type { LifecycleEvent } from './lifecycle-events';
import { evaluateProbation } from './rollback-decision';
import type { DeploymentRecord } from './state';

/** Deployments and completed retrains: the history they extend and the incidents they close. */

export function onDeployed(run: EngineRun, event: LifecycleEvent, deployed: ModelDeployed): void {
  const record: DeploymentRecord = {
    eventId: deployed.eventId,
    version: deployed.version,
    deployedAt: deployed.deployedAt.getTime(),
    reason: deployed.reason,
    incidentId: deployed.incidentId,
  };
  run.state.deployments = [...run.state.deployments, record].sort((a, b) => a.deployedAt - b.deployedAt);
  run.deployment = record;
  run.decide(
    event,
    deployed.version,
    'none',
    'deployment_recorded',
    [`${deployed.version} deployed ${deployed.deployedAt.toISOString()} (${deployed.reason})`],
    deployed.incidentId,
  );
  // A new champion answers every incident about another version, and the one it names.
  const answered = run.state.openIncidents.filter((i) => i.modelVersion !== deployed.version || i.incidentId === deployed.incidentId);
  run.close(event, answered, `deployment of ${deployed.version} (${deployed.reason})`, deployed.version);
  // Streaks about the version that stopped serving are moot; one about this version stays.
  if (run.state.performanceStreak?.version !== deployed.version) run.state.performanceStreak = null;
  if (run.state.driftStreak?.version !== deployed.version) run.state.driftStreak = null;
  pruneSnapshots(run, record);
  // Snapshots and deployments travel on different topics: the new version's first
  // snapshots may have arrived before this event, so judge them now.
  const early = (run.state.snapshots[deployed.version] ?? []).some((s) => s.windowStart >= record.deployedAt);
  if (early) evaluateProbation(run, event, deployed.version);
}

/**
 * Probation compares the champion with its predecessor only: snapshots of versions
 * that served before that are dropped (those of never-deployed versions are kept,
 * their deployment may still be on its way).
 */
function pruneSnapshots(run: EngineRun, champion: DeploymentRecord): void {
  const previous = previousChampion(run.state.deployments, champion);
  const deployed = new Set(run.state.deployments.map((d) => d.version));
  for (const version of Object.keys(run.state.snapshots)) {
    if (deployed.has(version) && version !== champion.version && version !== previous?.version) delete run.state.snapshots[version];
  }
}

export function onRetrainCompleted(run: EngineRun, event: LifecycleEvent, completion: RetrainCompleted): void {
  const answered = run.state.openIncidents.filter((i) => (completion.incidentId !== null ? i.incidentId === completion.incidentId : i.action === 'retrain'));
  if (answered.length === 0) {
    run.decide(event, completion.newVersion, 'retrain', 'no_action', [`no open retrain incident ${completion.incidentId ?? 'of the model'} to close`], completion.incidentId);
    return;
  }
  const outcome = completion.succeeded ? `retrain completed (new version ${completion.newVersion})` : 'retrain failed';
  run.close(event, answered, outcome, completion.newVersion);
}
