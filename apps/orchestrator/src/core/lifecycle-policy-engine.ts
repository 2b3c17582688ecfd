import type { MetricSnapshot } from '@vigil/contracts';
import { onDeployed, onRetrainCompleted } from './deployment-decisions';
import { EngineRun } from './engine-run';
import { EngineResult, eventIdOf, LifecycleEvent, versionOf } from './lifecycle-events';
import type { ResolvedPolicy } from './policy';
import { evaluateFloor, onAlert } from './retrain-decisions';
import { evaluateProbation } from './rollback-decision';
import { ModelState, SEEN_EVENT_IDS_KEPT, SNAPSHOTS_KEPT_PER_VERSION, SnapshotSummary } from './state';

/**
 * The lifecycle decisions, with no I/O: (state of one model, one event, its policy,
 * now) → (next state, decisions, incidents opened and closed). The service persists
 * the result and produces the requests; replaying the same event on the same state
 * gives the same incident ids, so a redelivery can never mint a second incident.
 * The input state is never modified; the result's `state` is that same object when the
 * event changed nothing (a duplicate), so a caller can skip persisting it.
 *
 * This class routes each event; the decisions are in retrain-decisions.ts (alerts, the
 * accuracy floor, hysteresis), rollback-decision.ts (probation) and deployment-decisions.ts
 * (deployments, completed retrains), over the shared bookkeeping of engine-run.ts.
 */
export class LifecyclePolicyEngine {
  decide(state: ModelState, event: LifecycleEvent, resolved: ResolvedPolicy, now: number): EngineResult {
    return new ModelDraft(state).decide(event, resolved, now);
  }
}

/**
 * One model's state across several events (a batch): copied once, on the first event that
 * changes it, then changed in place by the following ones, where deciding record by record
 * would copy it per record. The decisions are those of LifecyclePolicyEngine.decide applied
 * in turn, each on the state its predecessor left. The state it started from is never
 * modified; `state` is that very object while no event changed anything (duplicates only).
 * Every result's `state` is the draft itself, so it reads as of the latest event.
 */
export class ModelDraft {
  private copy: ModelState | null = null;

  constructor(private readonly base: ModelState) {}

  /** The state after the events decided so far. */
  get state(): ModelState {
    return this.copy ?? this.base;
  }

  /** Whether an event changed the state (it then differs from the one the draft started from). */
  get changed(): boolean {
    return this.copy !== null;
  }

  decide(event: LifecycleEvent, resolved: ResolvedPolicy, now: number): EngineResult {
    const id = eventIdOf(event);
    if (this.state.seenEventIds.includes(id)) {
      // Only records a decision: the state is left as it is.
      const duplicate = new EngineRun(this.state, resolved, now);
      duplicate.decide(event, versionOf(event), 'none', 'duplicate_event', [`event ${id} was already handled`]);
      return duplicate.result();
    }
    this.copy ??= structuredClone(this.base);
    const run = new EngineRun(this.copy, resolved, now);
    run.state.seenEventIds.push(id);
    if (run.state.seenEventIds.length > SEEN_EVENT_IDS_KEPT) run.state.seenEventIds.splice(0, run.state.seenEventIds.length - SEEN_EVENT_IDS_KEPT);
    switch (event.type) {
      case 'alert':
        onAlert(run, event, event.alert);
        break;
      case 'snapshot':
        onSnapshot(run, event, event.snapshot);
        break;
      case 'deployed':
        onDeployed(run, event, event.deployment);
        break;
      case 'retrainCompleted':
        onRetrainCompleted(run, event, event.completion);
        break;
    }
    return run.result();
  }
}

/** A snapshot is kept for probation, then judged: a champion on probation for a rollback, else against the floor. */
function onSnapshot(run: EngineRun, event: LifecycleEvent, snapshot: MetricSnapshot): void {
  const version = snapshot.modelVersion;
  if (snapshot.segmentKey !== '') {
    run.decide(event, version, 'none', 'not_a_trigger', [`segment snapshot ${snapshot.segmentKey}=${snapshot.segmentValue}: lifecycle decisions use whole-version snapshots`]);
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
  const kept = [...(run.state.snapshots[version] ?? []), summary].sort((a, b) => a.windowEnd - b.windowEnd);
  run.state.snapshots[version] = kept.slice(-SNAPSHOTS_KEPT_PER_VERSION);
  if (!run.servesNow(event, version)) return;
  if (evaluateProbation(run, event, version)) return;
  evaluateFloor(run, event, summary, version);
}
