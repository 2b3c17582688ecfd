import { ClickHouseClient } from '@clickhouse/client';
import type { Alert, MetricSnapshot } from '@vigil/contracts';
import { classifyClickHouseError, selectRows, sql } from '@vigil/storage';
import type { ModelConfig } from './core/model-config';
import type { ModelMonitorState } from './core/model-monitor';
import type { DatasetSummaryJSON } from '@vigil/monitoring';

/** Where a model's checkpoint stands in the two input topics (next offset to read). */
export interface CheckpointPosition {
  predictionsPartition: number;
  predictionsOffset: number;
  labelsPartition: number;
  labelsOffset: number;
}

export interface Checkpoint extends CheckpointPosition {
  modelId: string;
  state: ModelMonitorState;
  checkpointedAt: Date;
}

const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);

/** Injection token of the monitor's repository (built from StorageModule's client in app.module). */
export const MONITOR_REPOSITORY = Symbol('MonitorRepository');

/** Every ClickHouse statement of the monitor (tables in migrations 020, 060 and 080). */
export class MonitorRepository {
  constructor(private readonly client: ClickHouseClient) {}

  private async insert(table: string, values: object[], what: string): Promise<void> {
    if (values.length === 0) return;
    try {
      await this.client.insert({ table, values, format: 'JSONEachRow' });
    } catch (error) {
      throw classifyClickHouseError(error, what);
    }
  }

  private select<T>(query: string, what: string): Promise<T[]> {
    return selectRows<T>(this.client, query, what);
  }

  async insertSnapshots(snapshots: MetricSnapshot[]): Promise<void> {
    const now = seconds(new Date());
    await this.insert(
      'metric_snapshots',
      snapshots.map((s) => {
        const names = Object.keys(s.metrics).sort();
        return {
          event_id: s.eventId,
          model_id: s.modelId,
          model_version: s.modelVersion,
          segment_key: s.segmentKey,
          segment_value: s.segmentValue,
          window_start: seconds(s.windowStart),
          window_end: seconds(s.windowEnd),
          prediction_count: s.predictionCount,
          labelled_count: s.labelledCount,
          metric_names: names,
          metric_values: names.map((n) => s.metrics[n]),
          published_at: now,
        };
      }),
      'snapshot insert',
    );
  }

  async insertAlerts(alerts: Alert[]): Promise<void> {
    await this.insert(
      'alerts',
      alerts.map((a) => ({
        alert_id: a.alertId,
        model_id: a.modelId,
        model_version: a.modelVersion,
        kind: a.kind,
        severity: a.severity,
        rule: a.rule,
        since: seconds(a.since),
        observed_at: seconds(a.observedAt),
        message: a.message,
        evidence_metrics: a.evidence.map((e) => e.metric),
        evidence_features: a.evidence.map((e) => e.feature ?? ''),
        evidence_values: a.evidence.map((e) => e.value),
        evidence_thresholds: a.evidence.map((e) => e.threshold),
        evidence_sample_sizes: a.evidence.map((e) => e.sampleSize),
        evidence_json: JSON.stringify(a.evidence),
      })),
      'alert insert',
    );
  }

  async saveCheckpoints(checkpoints: Checkpoint[]): Promise<void> {
    await this.insert(
      'monitor_checkpoints',
      checkpoints.map((c) => ({
        model_id: c.modelId,
        predictions_partition: c.predictionsPartition,
        predictions_offset: c.predictionsOffset,
        labels_partition: c.labelsPartition,
        labels_offset: c.labelsOffset,
        state: JSON.stringify(c.state),
        checkpointed_at: seconds(c.checkpointedAt),
        version: c.predictionsOffset + c.labelsOffset,
      })),
      'checkpoint insert',
    );
  }

  /** References the next checkpoints name by content id (migration 080); written before those checkpoints. */
  async saveCheckpointReferences(references: { modelId: string; referenceId: string; summary: DatasetSummaryJSON }[]): Promise<void> {
    const now = seconds(new Date());
    await this.insert(
      'monitor_checkpoint_references',
      references.map((r) => ({ model_id: r.modelId, reference_id: r.referenceId, summary: JSON.stringify(r.summary), stored_at: now })),
      'checkpoint reference insert',
    );
  }

  async loadCheckpointReference(modelId: string, referenceId: string): Promise<DatasetSummaryJSON | undefined> {
    const rows = await this.select<{ summary: string }>(
      sql`SELECT summary FROM monitor_checkpoint_references WHERE model_id = ${modelId} AND reference_id = ${referenceId} LIMIT 1`,
      'checkpoint reference load',
    );
    return rows[0] ? (JSON.parse(rows[0].summary) as DatasetSummaryJSON) : undefined;
  }

  async loadCheckpoint(modelId: string): Promise<Checkpoint | undefined> {
    const rows = await this.select<{
      model_id: string;
      predictions_partition: number;
      predictions_offset: string;
      labels_partition: number;
      labels_offset: string;
      state: string;
      checkpointed_at: string;
    }>(
      sql`SELECT model_id, predictions_partition, predictions_offset, labels_partition, labels_offset, state, checkpointed_at
          FROM monitor_checkpoints FINAL WHERE model_id = ${modelId}`,
      'checkpoint load',
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      modelId: r.model_id,
      predictionsPartition: Number(r.predictions_partition),
      predictionsOffset: Number(r.predictions_offset),
      labelsPartition: Number(r.labels_partition),
      labelsOffset: Number(r.labels_offset),
      state: JSON.parse(r.state) as ModelMonitorState,
      checkpointedAt: new Date(`${r.checkpointed_at.replace(' ', 'T')}Z`),
    };
  }

  /** `changedBy`: the API token that made the change (libs/storage/migrations/060_changed_by.sql). */
  async saveConfigOverride(modelId: string, override: Partial<ModelConfig>, changedBy: string): Promise<void> {
    await this.insert('monitor_model_configs', [{ model_id: modelId, config: JSON.stringify(override), updated_at_ms: Date.now(), changed_by: changedBy }], 'config save');
  }

  /** Overrides of the given models (all models when `modelIds` is undefined). */
  async loadConfigOverrides(modelIds?: string[]): Promise<Map<string, Partial<ModelConfig>>> {
    if (modelIds?.length === 0) return new Map();
    const where = modelIds ? sql` WHERE has(${modelIds}, model_id)` : '';
    const rows = await this.select<{ model_id: string; config: string }>(`SELECT model_id, config FROM monitor_model_configs FINAL${where}`, 'config load');
    return new Map(rows.map((r) => [r.model_id, JSON.parse(r.config) as Partial<ModelConfig>]));
  }

  async saveReference(modelId: string, summary: DatasetSummaryJSON, rows: number, changedBy: string): Promise<void> {
    await this.insert('monitor_references', [{ model_id: modelId, summary: JSON.stringify(summary), rows, updated_at_ms: Date.now(), changed_by: changedBy }], 'reference save');
  }

  /** Registered references with their version stamp, so the owner applies each one once. */
  async loadReferences(modelIds: string[]): Promise<Map<string, { summary: DatasetSummaryJSON; updatedAt: number }>> {
    if (modelIds.length === 0) return new Map();
    const rows = await this.select<{ model_id: string; summary: string; updated_at_ms: string }>(
      sql`SELECT model_id, summary, updated_at_ms FROM monitor_references FINAL WHERE has(${modelIds}, model_id)`,
      'reference load',
    );
    return new Map(rows.map((r) => [r.model_id, { summary: JSON.parse(r.summary) as DatasetSummaryJSON, updatedAt: Number(r.updated_at_ms) }]));
  }

  async ping(): Promise<boolean> {
    const result = await this.client.ping({ select: true });
    return result.success;
  }
}
