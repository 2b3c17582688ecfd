import { Inject, Injectable, Logger } from '@nestjs/common';
import { Serializer } from '@vigil/common';
import type { RetrainRequested, RollbackRequested } from '@vigil/contracts';
import { topicMap } from '@vigil/contracts';
import {
  ClosedIncident,
  emptyModelState,
  EngineResult,
  IncidentRecord,
  eventIdOf,
  LifecycleEvent,
  LifecycleRequest,
  ModelDraft,
  modelIdOf,
  ModelState,
  PolicyOverride,
  resolvePolicy,
  ResolvedPolicy,
} from './core';
import { LIFECYCLE_FAULTS, LifecycleFaults } from './lifecycle.faults';
import { AuditEntry, DeploymentEntry, LifecycleRepository, OpenedIncident, SourcePosition } from './lifecycle.repository';
import { OrchestratorMetrics } from './orchestrator.metrics';
import { ORCHESTRATOR_CONFIG, OrchestratorConfig } from './orchestrator.config';

/** A decoded record and where it was consumed. */
export interface SourcedEvent {
  event: LifecycleEvent;
  source: SourcePosition;
  /** The API token whose HTTP request published the record (absent: it came straight from Kafka). */
  changedBy?: string;
}

/** A request persisted as pending, waiting to be committed to Kafka. */
export interface PendingRequest {
  incidentId: string;
  topic: string;
  modelId: string;
  request: LifecycleRequest;
  /** The consumed record that opened the incident: the request commits with its offset. */
  source: SourcePosition;
}

/** A batch waiting for the persist under way to end, and the caller waiting for its results. */
interface QueuedBatch {
  records: readonly SourcedEvent[];
  resolve: (results: EngineResult[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs the pure engine over a batch of records and makes its result durable: audit
 * rows, deployment history, incidents (request pending) and the models' states are
 * written to ClickHouse, one insert per table, BEFORE anything is produced. Batches and
 * HTTP calls share one queue, so a model's state is never updated concurrently; the
 * batches that arrive while a persist runs (other partitions) are decided and saved
 * together by the next one.
 */
@Injectable()
export class LifecycleService {
  private readonly logger = new Logger(LifecycleService.name);
  private readonly states = new Map<string, ModelState>();
  private policyOverrides = new Map<string, PolicyOverride>();
  /** Outbox: persisted requests not yet known to be on Kafka, by incident id. */
  private readonly outbox = new Map<string, PendingRequest>();
  private readonly serializer = new Serializer();
  /** Batches waiting for the next persist, in arrival order. */
  private queued: QueuedBatch[] = [];
  /** HTTP calls waiting for the event they published to come back through Kafka. */
  private readonly waiters = new Map<string, (result: EngineResult) => void>();

  constructor(
    @Inject(ORCHESTRATOR_CONFIG) private readonly config: OrchestratorConfig,
    private readonly repository: LifecycleRepository,
    private readonly metrics: OrchestratorMetrics,
    @Inject(LIFECYCLE_FAULTS) private readonly faults: LifecycleFaults,
  ) {}

  /**
   * Reloads the engine state and the policy overrides from ClickHouse: when this instance
   * takes over (after its producer fenced any previous active), never on a standby, whose
   * copy would go stale while the active decides.
   */
  async load(): Promise<void> {
    for (const state of await this.repository.loadStates()) this.states.set(state.modelId, state);
    this.policyOverrides = await this.repository.loadPolicies();
    this.updateOpenIncidentGauge();
    this.logger.log({ message: 'lifecycle state reloaded', models: this.states.size, policyOverrides: this.policyOverrides.size });
  }

  /** Serialises work on the shared state. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.serializer.run(work);
  }

  policyFor(modelId: string): ResolvedPolicy {
    return resolvePolicy(modelId, this.config.policies, this.policyOverrides.get(modelId));
  }

  async setPolicy(modelId: string, override: PolicyOverride, changedBy: string): Promise<ResolvedPolicy> {
    return this.exclusive(async () => {
      await this.repository.savePolicy(modelId, override, changedBy);
      this.policyOverrides.set(modelId, override);
      return this.policyFor(modelId);
    });
  }

  state(modelId: string): ModelState | undefined {
    return this.states.get(modelId);
  }

  /**
   * Decides every record of a batch and persists the result before anything is
   * produced. Records are handled in order, each on the state its predecessors left.
   * Batches queued together are persisted together: they succeed or fail as one.
   */
  handleBatch(records: readonly SourcedEvent[]): Promise<EngineResult[]> {
    return new Promise((resolve, reject) => {
      this.queued.push({ records, resolve, reject });
      // The first batch queued schedules the persist that takes every batch queued by the time it starts.
      if (this.queued.length === 1) void this.exclusive(() => this.persistQueued());
    });
  }

  private async persistQueued(): Promise<void> {
    const batches = this.queued;
    this.queued = [];
    try {
      const results = await this.applyBatch(batches.flatMap((b) => b.records));
      let from = 0;
      for (const batch of batches) {
        batch.resolve(results.slice(from, from + batch.records.length));
        from += batch.records.length;
      }
    } catch (error) {
      for (const batch of batches) batch.reject(error);
    }
  }

  private async applyBatch(records: readonly SourcedEvent[]): Promise<EngineResult[]> {
    const topics = topicMap(this.config.topicPrefix);
    // Batch-local until persisted: a draft never modifies the state it starts from, so a
    // failed write leaves the service state as it was, and kafkajs redelivers the batch.
    const drafts = new Map<string, ModelDraft>();
    const results: EngineResult[] = [];
    const audit: AuditEntry[] = [];
    const deployments: DeploymentEntry[] = [];
    const opened: OpenedIncident[] = [];
    const closed: ClosedIncident[] = [];
    const pending: PendingRequest[] = [];
    for (const { event, source, changedBy = '' } of records) {
      const modelId = modelIdOf(event);
      const resolved = this.policyFor(modelId);
      const now = Date.now();
      let draft = drafts.get(modelId);
      if (!draft) {
        draft = new ModelDraft(this.states.get(modelId) ?? emptyModelState(modelId));
        drafts.set(modelId, draft);
      }
      const result = draft.decide(event, resolved, now);
      results.push(result);
      for (const decision of result.decisions) audit.push({ decision, policy: resolved.name, decidedAt: now, changedBy });
      if (result.deployment) {
        deployments.push({ modelId, deployment: result.deployment, artifactUri: event.type === 'deployed' ? event.deployment.artifactUri : null, changedBy });
      }
      for (const { incident, request } of result.opened) {
        const topic = request.action === 'retrain' ? topics.retrainRequested : topics.rollbackRequested;
        opened.push({
          incident,
          request: { topic, eventId: request.event.eventId, json: JSON.stringify(request), policy: request.event.policy, reason: request.event.reason },
          source,
        });
        pending.push({ incidentId: incident.incidentId, topic, modelId, request, source });
      }
      closed.push(...result.closed);
    }
    // A draft whose records all changed nothing (duplicates) needs no new lifecycle_state row.
    const changed = [...drafts.values()].filter((d) => d.changed).map((d) => d.state);

    await settleAll([this.repository.insertDecisions(audit), this.repository.insertDeployments(deployments), this.repository.writeIncidents(opened, closed)]);
    // Last: a state that names an incident implies its row (and the batch's audit) is written.
    await this.repository.saveStates(changed);

    if (pending.length > 0) this.faults.afterPersist(pending);

    for (const state of changed) this.states.set(state.modelId, state);
    for (const p of pending) this.outbox.set(p.incidentId, p);
    for (const [i, { event }] of records.entries()) {
      this.metrics.eventsConsumed.inc({ type: event.type });
      for (const d of results[i].decisions) this.metrics.decisions.inc({ action: d.action, outcome: d.outcome });
    }
    this.updateOpenIncidentGauge();
    for (const [i, { event }] of records.entries()) this.waiters.get(eventIdOf(event))?.(results[i]);
    return results;
  }

  private updateOpenIncidentGauge(): void {
    let open = 0;
    // Rebuilt each time, so a closed incident's series disappears.
    this.metrics.modelOpenIncidents.reset();
    for (const state of this.states.values()) {
      open += state.openIncidents.length;
      for (const i of state.openIncidents) this.metrics.modelOpenIncidents.inc({ model: i.modelId, version: i.modelVersion, action: i.action });
    }
    this.metrics.openIncidents.set(open);
  }

  /** Every open incident of every model. */
  openIncidents(): IncidentRecord[] {
    return [...this.states.values()].flatMap((state) => state.openIncidents);
  }

  /**
   * Requests waiting for a transaction: those opened by records of `partition` (they
   * must commit together with its offsets), or all of them when recovering.
   */
  pendingRequests(partition?: { topic: string; partition: number }): PendingRequest[] {
    const all = [...this.outbox.values()];
    if (!partition) return all;
    return all.filter((r) => r.source.topic === partition.topic && r.source.partition === partition.partition);
  }

  /** Resolves with the engine result once the event with this id has been handled (or null on timeout). */
  awaitHandled(eventId: string, timeoutMs: number): Promise<EngineResult | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(eventId);
        resolve(null);
      }, timeoutMs);
      this.waiters.set(eventId, (result) => {
        clearTimeout(timer);
        this.waiters.delete(eventId);
        resolve(result);
      });
    });
  }

  /** Called once the transaction carrying these requests committed. */
  async markProduced(requests: readonly PendingRequest[]): Promise<void> {
    if (requests.length === 0) return;
    await this.repository.updateIncidents(
      requests.map((r) => r.incidentId),
      { request_status: 'produced' },
    );
    for (const r of requests) {
      this.outbox.delete(r.incidentId);
      this.metrics.requestsProduced.inc({ action: r.request.action });
    }
  }

  /**
   * After a restart: every incident still "pending" either made it to Kafka (its
   * transaction committed the source offset too) or did not. `committed(topic,
   * partition)` gives the group's committed offset, read after the transactional
   * producer fenced its predecessor, so no transaction is still in flight.
   */
  async recoverPending(committed: (topic: string, partition: number) => Promise<number>): Promise<{ produced: string[]; requeued: string[]; unpersisted: string[] }> {
    const produced: string[] = [];
    const requeued: string[] = [];
    const unpersisted: string[] = [];
    for (const row of await this.repository.pendingIncidents()) {
      if (!this.knowsIncident(row.model_id, row.incident_id)) {
        // Its batch died before the states were written (they are written last): its
        // records are redelivered and decided again on the state before them, which
        // rewrites this row if it opens the same incident. Producing it now would commit
        // offsets past records whose state was never saved.
        unpersisted.push(row.incident_id);
        continue;
      }
      const done = (await committed(row.source_topic, row.source_partition)) > row.source_offset;
      if (done) {
        produced.push(row.incident_id);
        continue;
      }
      this.outbox.set(row.incident_id, {
        incidentId: row.incident_id,
        topic: row.request_topic,
        modelId: row.model_id,
        request: reviveRequest(row.request_json),
        source: { topic: row.source_topic, partition: row.source_partition, offset: row.source_offset },
      });
      requeued.push(row.incident_id);
    }
    if (produced.length > 0) await this.repository.updateIncidents(produced, { request_status: 'produced' });
    this.logger.log({ message: 'pending requests recovered', alreadyProduced: produced, requeued });
    if (unpersisted.length > 0) this.logger.warn({ message: 'pending incidents unknown to the saved engine state left to redelivery', incidents: unpersisted });
    return { produced, requeued, unpersisted };
  }

  /** Whether the persisted engine state records this incident (open, or among the requests it remembers). */
  private knowsIncident(modelId: string, incidentId: string): boolean {
    const state = this.states.get(modelId);
    if (!state) return false;
    return state.openIncidents.some((i) => i.incidentId === incidentId) || state.requests.some((r) => r.incidentId === incidentId);
  }
}

/** JSON turned the request's Dates into ISO strings; turn them back. */
export function reviveRequest(json: string): LifecycleRequest {
  const parsed = JSON.parse(json) as LifecycleRequest;
  const event = parsed.event as RetrainRequested | RollbackRequested;
  event.requestedAt = new Date(event.requestedAt);
  event.evidence = event.evidence.map((e) => ({ ...e, windowStart: new Date(e.windowStart), windowEnd: new Date(e.windowEnd) }));
  return parsed;
}

/** Waits for every write, then fails with the first error: no write of a failed batch is still in flight when it is retried. */
async function settleAll(writes: readonly Promise<void>[]): Promise<void> {
  const outcomes = await Promise.allSettled(writes);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
}
