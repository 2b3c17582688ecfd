import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, classifyClickHouseError, selectRows, sql } from '@vigil/storage';
import { storedModelState } from './core';
import type { ClosedIncident, Decision, DeploymentRecord, IncidentRecord, LifecycleAction, ModelState, PolicyOverride } from './core';

/** An incidents row (libs/storage/migrations/040_orchestrator_tables.sql). */
export interface IncidentRow {
  incident_id: string;
  model_id: string;
  model_version: string;
  action: LifecycleAction;
  status: 'open' | 'closed';
  request_status: 'pending' | 'produced';
  opening_event_id: string;
  /** DateTime: seconds when written, 'YYYY-MM-DD hh:mm:ss' when read. */
  opened_at: number | string;
  opened_at_ms: number;
  closed_at_ms: number;
  resolution: string;
  policy: string;
  reason: string;
  request_event_id: string;
  request_topic: string;
  request_json: string;
  source_topic: string;
  source_partition: number;
  source_offset: number;
  row_version: number;
}

export interface DeploymentRow {
  model_id: string;
  version: string;
  deployed_at_ms: number;
  reason: string;
  incident_id: string | null;
  artifact_uri: string | null;
  event_id: string;
  /** The API token that made the deployment over HTTP; '' when it came straight from Kafka. */
  changed_by: string;
}

export interface AuditRow {
  decided_at_ms: number;
  model_id: string;
  model_version: string;
  source_event_type: string;
  source_event_id: string;
  action: string;
  outcome: string;
  reasons: string[];
  incident_id: string | null;
  policy: string;
  /** The API token whose HTTP request caused the decision; '' when its input came straight from Kafka. */
  changed_by: string;
}

/** The consumed record a decision's input came from. */
export interface SourcePosition {
  topic: string;
  partition: number;
  offset: number;
}

/** A decision with what it is audited under. */
export interface AuditEntry {
  decision: Decision;
  policy: string;
  decidedAt: number;
  changedBy: string;
}

export interface DeploymentEntry {
  modelId: string;
  deployment: DeploymentRecord;
  artifactUri: string | null;
  changedBy: string;
}

/** An incident the engine opened, with the request to produce and the record that opened it. */
export interface OpenedIncident {
  incident: IncidentRecord;
  request: { topic: string; eventId: string; json: string; policy: string; reason: string };
  source: SourcePosition;
}

const NUMERIC_INCIDENT_FIELDS = ['opened_at_ms', 'closed_at_ms', 'source_partition', 'source_offset', 'row_version'] as const;

/**
 * Rows per INSERT into the append-only tables (audit, deployments, incidents): the batches of
 * several partitions saved together can hold tens of thousands of decisions, and parts keep
 * each request's body bounded. lifecycle_state is never split: its rows become visible together.
 */
const ROWS_PER_INSERT = 5_000;

/** The orchestrator's only ClickHouse access. */
@Injectable()
export class LifecycleRepository {
  private lastVersion = 0;

  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /** Row versions grow strictly within a process and with the clock across restarts. */
  private nextVersion(): number {
    this.lastVersion = Math.max(this.lastVersion + 1, Date.now() * 1000);
    return this.lastVersion;
  }

  private async insert(table: string, values: object[]): Promise<void> {
    if (values.length === 0) return;
    try {
      await this.client.insert({ table, values, format: 'JSONEachRow' });
    } catch (error) {
      throw classifyClickHouseError(error, `insert into ${table}`);
    }
  }

  /** Parts of ROWS_PER_INSERT, one after the other; each row stands alone, so a part written before a failure is harmless. */
  private async insertInParts(table: string, values: object[]): Promise<void> {
    for (let from = 0; from < values.length; from += ROWS_PER_INSERT) await this.insert(table, values.slice(from, from + ROWS_PER_INSERT));
  }

  private select<T>(query: string, what: string): Promise<T[]> {
    return selectRows<T>(this.client, query, what);
  }

  async ping(): Promise<boolean> {
    const result = await this.client.ping({ select: true });
    return result.success;
  }

  async loadStates(): Promise<ModelState[]> {
    const rows = await this.select<{ state_json: string }>('SELECT state_json FROM lifecycle_state FINAL', 'load lifecycle state');
    return rows.map((r) => storedModelState(r.state_json));
  }

  /** One row per model, in one insert (one block: all of them become visible together, or none). */
  async saveStates(states: readonly ModelState[]): Promise<void> {
    const updatedAt = Math.floor(Date.now() / 1000);
    await this.insert(
      'lifecycle_state',
      states.map((state) => ({ model_id: state.modelId, state_json: JSON.stringify(state), updated_at: updatedAt, row_version: this.nextVersion() })),
    );
  }

  async loadPolicies(): Promise<Map<string, PolicyOverride>> {
    const rows = await this.select<{ model_id: string; policy_json: string }>('SELECT model_id, policy_json FROM model_policies FINAL', 'load policies');
    return new Map(rows.map((r) => [r.model_id, JSON.parse(r.policy_json) as PolicyOverride]));
  }

  async savePolicy(modelId: string, override: PolicyOverride, changedBy: string): Promise<void> {
    await this.insert('model_policies', [
      { model_id: modelId, policy_json: JSON.stringify(override), updated_at: Math.floor(Date.now() / 1000), row_version: this.nextVersion(), changed_by: changedBy },
    ]);
  }

  async insertDecisions(entries: readonly AuditEntry[]): Promise<void> {
    await this.insertInParts(
      'decision_audit',
      entries.map(({ decision: d, policy, decidedAt, changedBy }) => ({
        decided_at: Math.floor(decidedAt / 1000),
        decided_at_ms: decidedAt,
        model_id: d.modelId,
        model_version: d.modelVersion,
        source_event_type: d.sourceEventType,
        source_event_id: d.sourceEventId,
        action: d.action,
        outcome: d.outcome,
        reasons: d.reasons,
        incident_id: d.incidentId,
        policy,
        changed_by: changedBy,
      })),
    );
  }

  async insertDeployments(entries: readonly DeploymentEntry[]): Promise<void> {
    const recordedAt = Math.floor(Date.now() / 1000);
    await this.insertInParts(
      'model_deployments',
      entries.map(({ modelId, deployment, artifactUri, changedBy }) => ({
        model_id: modelId,
        version: deployment.version,
        deployed_at: Math.floor(deployment.deployedAt / 1000),
        deployed_at_ms: deployment.deployedAt,
        reason: deployment.reason,
        incident_id: deployment.incidentId,
        artifact_uri: artifactUri,
        event_id: deployment.eventId,
        recorded_at: recordedAt,
        changed_by: changedBy,
      })),
    );
  }

  /**
   * Persists newly opened incidents (request pending, not yet on Kafka) and closes
   * incidents, in inserts of ROWS_PER_INSERT rows. An incident opened and closed by the same batch is written
   * once, already closed; the others to close are read back first (one query).
   */
  async writeIncidents(opened: readonly OpenedIncident[], closed: readonly ClosedIncident[]): Promise<void> {
    const rows = new Map<string, IncidentRow>();
    for (const { incident, request, source } of opened) {
      rows.set(incident.incidentId, {
        incident_id: incident.incidentId,
        model_id: incident.modelId,
        model_version: incident.modelVersion,
        action: incident.action,
        status: 'open',
        request_status: 'pending',
        opening_event_id: incident.openingEventId,
        opened_at: Math.floor(incident.openedAt / 1000),
        opened_at_ms: incident.openedAt,
        closed_at_ms: 0,
        resolution: '',
        policy: request.policy,
        reason: request.reason,
        request_event_id: request.eventId,
        request_topic: request.topic,
        request_json: request.json,
        source_topic: source.topic,
        source_partition: source.partition,
        source_offset: source.offset,
        row_version: 0,
      });
    }
    const earlier = closed.filter((c) => !rows.has(c.incident.incidentId)).map((c) => c.incident.incidentId);
    if (earlier.length > 0) {
      for (const row of await this.select<IncidentRow>(sql`SELECT * FROM incidents FINAL WHERE has(${earlier}, incident_id)`, 'read incidents')) {
        rows.set(row.incident_id, normaliseIncident(row));
      }
    }
    for (const { incident, closedAt, resolution } of closed) {
      const row = rows.get(incident.incidentId);
      if (row) rows.set(incident.incidentId, { ...row, status: 'closed', closed_at_ms: closedAt, resolution });
    }
    await this.insertInParts(
      'incidents',
      [...rows.values()].map((row) => ({ ...row, row_version: this.nextVersion() })),
    );
  }

  /** Rewrites incident rows with a change (ReplacingMergeTree keeps the highest row_version). */
  async updateIncidents(incidentIds: readonly string[], change: Partial<Pick<IncidentRow, 'status' | 'request_status' | 'closed_at_ms' | 'resolution'>>): Promise<void> {
    if (incidentIds.length === 0) return;
    const rows = await this.select<IncidentRow>(sql`SELECT * FROM incidents FINAL WHERE has(${[...incidentIds]}, incident_id)`, 'read incidents');
    await this.insert(
      'incidents',
      rows.map((row) => ({ ...normaliseIncident(row), ...change, row_version: this.nextVersion() })),
    );
  }

  async pendingIncidents(): Promise<IncidentRow[]> {
    const rows = await this.select<IncidentRow>("SELECT * FROM incidents FINAL WHERE request_status = 'pending' ORDER BY opened_at_ms", 'read pending incidents');
    return rows.map(normaliseIncident);
  }

  async incidents(modelId: string): Promise<IncidentRow[]> {
    const rows = await this.select<IncidentRow>(sql`SELECT * FROM incidents FINAL WHERE model_id = ${modelId} ORDER BY opened_at_ms`, 'read incidents');
    return rows.map(normaliseIncident);
  }

  // Each FINAL read in a subquery with the ORDER BY outside it: 18.16 refuses ORDER BY or LIMIT
  // on a subset of columns read FINAL through a Distributed table of two shards (docs/scaling.md "Two shards").
  async deployments(modelId: string): Promise<DeploymentRow[]> {
    const rows = await this.select<DeploymentRow>(
      sql`SELECT model_id, version, deployed_at_ms, reason, incident_id, artifact_uri, event_id, changed_by
          FROM (SELECT * FROM model_deployments FINAL WHERE model_id = ${modelId}) ORDER BY deployed_at_ms, recorded_at`,
      'read deployments',
    );
    return rows.map((r) => ({ ...r, deployed_at_ms: Number(r.deployed_at_ms) }));
  }

  /** What served at `atMs`: the latest deployment at or before it. */
  async championAt(modelId: string, atMs: number): Promise<DeploymentRow | null> {
    const rows = await this.select<DeploymentRow>(
      sql`SELECT model_id, version, deployed_at_ms, reason, incident_id, artifact_uri, event_id, changed_by
          FROM (SELECT * FROM model_deployments FINAL WHERE model_id = ${modelId} AND deployed_at_ms <= ${atMs})
          ORDER BY deployed_at_ms DESC, recorded_at DESC LIMIT 1`,
      'read champion',
    );
    return rows.length === 0 ? null : { ...rows[0], deployed_at_ms: Number(rows[0].deployed_at_ms) };
  }

  async decisions(modelId: string, limit: number): Promise<AuditRow[]> {
    const rows = await this.select<AuditRow>(
      sql`SELECT decided_at_ms, model_id, model_version, source_event_type, source_event_id, action, outcome, reasons, incident_id, policy, changed_by
          FROM decision_audit WHERE model_id = ${modelId} ORDER BY decided_at_ms DESC LIMIT ${limit}`,
      'read decisions',
    );
    return rows.map((r) => ({ ...r, decided_at_ms: Number(r.decided_at_ms) }));
  }
}

/** UInt64/Int64 arrive as strings from ClickHouse. */
function normaliseIncident(row: IncidentRow): IncidentRow {
  const out = { ...row };
  for (const field of NUMERIC_INCIDENT_FIELDS) out[field] = Number(row[field]);
  return out;
}
