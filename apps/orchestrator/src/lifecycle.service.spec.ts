import { Logger } from '@nestjs/common';
import type { Alert, RetrainRequested } from '@vigil/contracts';
import { Registry } from 'prom-client';
import type { ClosedIncident, LifecycleEvent, ModelState } from './core';
import type { AuditEntry, DeploymentEntry, IncidentRow, LifecycleRepository, OpenedIncident } from './lifecycle.repository';
import { NO_FAULTS } from './lifecycle.faults';
import { LifecycleService, reviveRequest, SourcedEvent } from './lifecycle.service';
import { OrchestratorMetrics } from './orchestrator.metrics';
import type { OrchestratorConfig } from './orchestrator.config';

describe('reviveRequest', () => {
  it('restores the Dates a persisted request lost to JSON', () => {
    const event: RetrainRequested = {
      eventId: 'e-1',
      incidentId: 'inc-1',
      modelId: 'fraud',
      modelVersion: 'v1',
      requestedAt: new Date('2026-06-01T00:03:00.123Z'),
      policy: 'builtin',
      reason: '3 consecutive CRITICAL performance observations (policy: 3)',
      evidence: [
        {
          metric: 'accuracy',
          value: 0.7,
          threshold: 0.8,
          baseline: null,
          feature: null,
          windowStart: new Date('2026-06-01T00:00:00Z'),
          windowEnd: new Date('2026-06-01T00:05:00Z'),
          sampleSize: 400,
        },
      ],
    };
    expect(reviveRequest(JSON.stringify({ action: 'retrain', event }))).toEqual({ action: 'retrain', event });
  });
});

/** Records every write; `failOn` makes that method reject (ClickHouse down); writes wait for `hold` while it is set (a slow ClickHouse). */
class FakeRepository {
  decisions: AuditEntry[][] = [];
  deployments: DeploymentEntry[][] = [];
  incidents: { opened: OpenedIncident[]; closed: ClosedIncident[] }[] = [];
  states: ModelState[][] = [];
  pending: IncidentRow[] = [];
  failOn: string | null = null;
  hold: Promise<void> | null = null;

  private async write(method: string): Promise<void> {
    await this.hold;
    if (this.failOn === method) throw new Error(`${method} failed`);
  }

  insertDecisions(entries: AuditEntry[]) {
    this.decisions.push(entries);
    return this.write('insertDecisions');
  }
  insertDeployments(entries: DeploymentEntry[]) {
    this.deployments.push(entries);
    return this.write('insertDeployments');
  }
  writeIncidents(opened: OpenedIncident[], closed: ClosedIncident[]) {
    this.incidents.push({ opened, closed });
    return this.write('writeIncidents');
  }
  saveStates(states: ModelState[]) {
    this.states.push(states);
    return this.write('saveStates');
  }
  pendingIncidents() {
    return Promise.resolve(this.pending);
  }
  updateIncidents() {
    return Promise.resolve();
  }
  /** The latest saved state of each model. */
  loadStates() {
    return Promise.resolve([...new Map(this.states.flat().map((s) => [s.modelId, s])).values()]);
  }
  loadPolicies() {
    return Promise.resolve(new Map());
  }
}

// Recent: the engine judges streak expiry (6 h builtin) against the wall clock.
const SINCE = new Date(Date.now() - 10 * 60_000);
const policies = { defaults: { retrain: { performance: { consecutiveCritical: 3, sustainedSeconds: 86400 } } } };

function alert(modelId: string, n: number): LifecycleEvent {
  const observedAt = new Date(SINCE.getTime() + n * 60_000);
  const value: Alert = {
    alertId: `${modelId}-a${n}`,
    modelId,
    modelVersion: 'v1',
    kind: 'PERFORMANCE',
    severity: 'CRITICAL',
    rule: 'accuracy_below_floor',
    since: SINCE,
    observedAt,
    message: 'accuracy 0.62 below floor 0.80',
    evidence: [{ metric: 'accuracy', value: 0.62, threshold: 0.8, baseline: null, feature: null, windowStart: SINCE, windowEnd: observedAt, sampleSize: 400 }],
  };
  return { type: 'alert', alert: value };
}

function batch(events: LifecycleEvent[], firstOffset = 0): SourcedEvent[] {
  return events.map((event, i) => ({ event, source: { topic: 'vigil.alerts', partition: 1, offset: firstOffset + i } }));
}

function service(repository: FakeRepository): LifecycleService {
  const config = { topicPrefix: 'vigil.', policies } as unknown as OrchestratorConfig;
  return new LifecycleService(config, repository as unknown as LifecycleRepository, new OrchestratorMetrics(new Registry()), NO_FAULTS);
}

// The service logs recoveries; the assertions below check them.
beforeAll(() => Logger.overrideLogger(false));

describe('LifecycleService.handleBatch', () => {
  it('decides a batch record by record and writes it with one call per table', async () => {
    const repository = new FakeRepository();
    const lifecycle = service(repository);
    // fraud: a1, a2, duplicate a2, a3 (3rd consecutive CRITICAL → incident), a4 (already open); churn: one alert.
    const records = batch([alert('fraud', 1), alert('fraud', 2), alert('fraud', 2), alert('fraud', 3), alert('churn', 1), alert('fraud', 4)], 40);
    const results = await lifecycle.handleBatch(records);

    expect(results.flatMap((r) => r.decisions.map((d) => d.outcome))).toEqual([
      'evidence_recorded',
      'evidence_recorded',
      'duplicate_event',
      'retrain_requested',
      'evidence_recorded',
      'incident_already_open',
    ]);
    expect(repository.decisions).toHaveLength(1);
    expect(repository.decisions[0].map((e) => e.decision.sourceEventId)).toEqual(['fraud-a1', 'fraud-a2', 'fraud-a2', 'fraud-a3', 'churn-a1', 'fraud-a4']);
    expect(repository.decisions[0][0].policy).toBe('builtin+file:defaults');
    expect(repository.incidents).toHaveLength(1);
    // The incident is stored with the offset of the record that opened it: a3 is the 4th record, 40 + 3.
    const [opened] = repository.incidents[0].opened;
    expect(opened.source).toEqual({ topic: 'vigil.alerts', partition: 1, offset: 43 });
    expect(opened.request.topic).toBe('vigil.retrain-requested');
    // One state row per touched model, the state after the batch's last record.
    expect(repository.states).toHaveLength(1);
    expect(repository.states[0].map((s) => [s.modelId, s.seenEventIds.length])).toEqual([
      ['fraud', 4],
      ['churn', 1],
    ]);
    expect(lifecycle.state('fraud')!.openIncidents.map((i) => i.incidentId)).toEqual([opened.incident.incidentId]);
    expect(lifecycle.pendingRequests({ topic: 'vigil.alerts', partition: 1 }).map((p) => p.incidentId)).toEqual([opened.incident.incidentId]);
    expect(lifecycle.pendingRequests({ topic: 'vigil.alerts', partition: 0 })).toEqual([]);
  });

  it('writes no state row for a model the batch did not change', async () => {
    const repository = new FakeRepository();
    const lifecycle = service(repository);
    await lifecycle.handleBatch(batch([alert('fraud', 1)]));
    // Redelivered: a duplicate changes nothing.
    await lifecycle.handleBatch(batch([alert('fraud', 1)]));
    expect(repository.states.map((states) => states.map((s) => s.modelId))).toEqual([['fraud'], []]);
    expect(repository.decisions[1].map((e) => e.decision.outcome)).toEqual(['duplicate_event']);
  });

  it('keeps the previous state and outbox when a write fails, and never saves the states', async () => {
    const repository = new FakeRepository();
    const lifecycle = service(repository);
    repository.failOn = 'writeIncidents';
    await expect(lifecycle.handleBatch(batch([1, 2, 3].map((n) => alert('fraud', n))))).rejects.toThrow('writeIncidents failed');
    expect(repository.states).toEqual([]);
    expect(lifecycle.state('fraud')).toBeUndefined();
    expect(lifecycle.pendingRequests()).toEqual([]);

    // The redelivered batch decides the same way: same incident id.
    repository.failOn = null;
    const failedId = repository.incidents[0].opened[0].incident.incidentId;
    await lifecycle.handleBatch(batch([1, 2, 3].map((n) => alert('fraud', n))));
    expect(repository.incidents[1].opened[0].incident.incidentId).toBe(failedId);
    expect(lifecycle.pendingRequests().map((p) => p.incidentId)).toEqual([failedId]);
  });
});

describe('LifecycleService.handleBatch while a persist runs', () => {
  /** Lets the service's queued promises run until `done` (the fake's writes settle in microtasks). */
  async function until(done: () => boolean): Promise<void> {
    while (!done()) await new Promise((resolve) => setImmediate(resolve));
  }

  /**
   * Starts a persist of fraud-a1 that waits on storage until the returned release is called,
   * and queues two batches behind it (fraud-a2, and churn-a1 from another partition).
   */
  async function batchesQueuedBehindSlowPersist(repository: FakeRepository, lifecycle: LifecycleService) {
    let release: () => void = () => undefined;
    repository.hold = new Promise((resolve) => (release = resolve));
    const first = lifecycle.handleBatch(batch([alert('fraud', 1)]));
    await until(() => repository.decisions.length === 1);
    const second = lifecycle.handleBatch(batch([alert('fraud', 2)], 1));
    const other = lifecycle.handleBatch([{ event: alert('churn', 1), source: { topic: 'vigil.alerts', partition: 0, offset: 0 } }]);
    return { first, second, other, release };
  }

  it('saves the batches queued meanwhile together, in arrival order, each caller getting its own results', async () => {
    const repository = new FakeRepository();
    const lifecycle = service(repository);
    const { first, second, other, release } = await batchesQueuedBehindSlowPersist(repository, lifecycle);
    repository.hold = null;
    release();
    const outcomes = async (results: Promise<{ decisions: { sourceEventId: string }[] }[]>) => (await results).flatMap((r) => r.decisions.map((d) => d.sourceEventId));
    expect([await outcomes(first), await outcomes(second), await outcomes(other)]).toEqual([['fraud-a1'], ['fraud-a2'], ['churn-a1']]);
    // Two persists: the first batch, then both batches queued during it, with one call per table.
    expect(repository.decisions.map((entries) => entries.map((e) => e.decision.sourceEventId))).toEqual([['fraud-a1'], ['fraud-a2', 'churn-a1']]);
    expect(repository.states.map((states) => states.map((s) => [s.modelId, s.seenEventIds.length]))).toEqual([
      [['fraud', 1]],
      [
        ['fraud', 2],
        ['churn', 1],
      ],
    ]);
  });

  it('fails every batch saved together when a write fails, and keeps the state as it was', async () => {
    const repository = new FakeRepository();
    const lifecycle = service(repository);
    const { first, second, other, release } = await batchesQueuedBehindSlowPersist(repository, lifecycle);
    repository.hold = null;
    repository.failOn = 'saveStates';
    release();
    await expect(first).rejects.toThrow('saveStates failed');
    await expect(second).rejects.toThrow('saveStates failed');
    await expect(other).rejects.toThrow('saveStates failed');
    expect(lifecycle.state('fraud')).toBeUndefined();
    expect(lifecycle.state('churn')).toBeUndefined();
  });
});

describe('LifecycleService.recoverPending', () => {
  it('requeues a pending incident the saved state knows, and leaves an unknown one to redelivery', async () => {
    const repository = new FakeRepository();
    const lifecycle = service(repository);
    await lifecycle.handleBatch(
      batch(
        [1, 2, 3].map((n) => alert('fraud', n)),
        10,
      ),
    );
    const [{ incident, request }] = repository.incidents[0].opened;
    const row = (incidentId: string, modelId: string): IncidentRow => ({
      incident_id: incidentId,
      model_id: modelId,
      model_version: 'v1',
      action: 'retrain',
      status: 'open',
      request_status: 'pending',
      opening_event_id: `${modelId}-a3`,
      opened_at: 0,
      opened_at_ms: 0,
      closed_at_ms: 0,
      resolution: '',
      policy: request.policy,
      reason: request.reason,
      request_event_id: request.eventId,
      request_topic: request.topic,
      request_json: request.json,
      source_topic: 'vigil.alerts',
      source_partition: 1,
      source_offset: 12,
      row_version: 1,
    });
    // A fresh service, as after a restart: the saved state knows fraud's incident, not churn's.
    const restarted = service(repository);
    await restarted.load();
    repository.pending = [row(incident.incidentId, 'fraud'), row('inc-unsaved', 'churn')];
    // Committed offset 12 = the opening record (offset 12) not yet consumed → not produced.
    const recovered = await restarted.recoverPending(() => Promise.resolve(12));
    expect(recovered).toEqual({ produced: [], requeued: [incident.incidentId], unpersisted: ['inc-unsaved'] });
    // Committed offset 13 = past the opening record → it was produced with it.
    expect((await restarted.recoverPending(() => Promise.resolve(13))).produced).toEqual([incident.incidentId]);
  });
});
