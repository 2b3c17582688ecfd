import { Inject, Injectable, Logger } from '@nestjs/common';
import { Serializer } from '@vigil/common';
import { DatasetSummary, DatasetSummaryJSON } from '@vigil/monitoring';
import { effectiveConfig } from './core/model-config';
import { ModelMonitor } from './core/model-monitor';
import type { ModelMonitorState } from './core/monitor-state';
import { ModelOperations } from './model-operations';
import { MONITOR_CONFIG, MonitorConfig } from './monitor.config';
import { MonitorMetrics } from './monitor.metrics';
import { MONITOR_REPOSITORY, MonitorRepository } from './monitor.repository';
import { RANDOM_IDS, SYSTEM_CLOCK } from './system-clock';

/** A model this instance owns: its monitor and where its checkpoint stands. */
export interface OwnedModel {
  monitor: ModelMonitor;
  partition: number;
  /** Records below these offsets are already inside the restored state: skipped on replay. */
  restoredUpTo: { predictions: number; labels: number };
  /** Changed since the last checkpoint. */
  dirty: boolean;
  referenceAppliedAt: number;
  /** Content id of the drift reference already in monitor_checkpoint_references (not written again). */
  storedReferenceId: string | null;
}

/**
 * The models this instance owns (per partition, dealt by CoPartitionAssigner) and the
 * positions its consumer reached, with the one queue every task on them takes: batches,
 * timer ticks, checkpoints and HTTP writes never interleave on model state.
 */
@Injectable()
export class OwnedModels {
  private readonly logger = new Logger('OwnedModels');
  private readonly models = new Map<string, OwnedModel>();
  /** `${topic}:${partition}` → next offset to process. */
  readonly positions = new Map<string, number>();
  private readonly serializer = new Serializer();
  private lastConfigRefresh = 0;

  constructor(
    @Inject(MONITOR_CONFIG) private readonly config: MonitorConfig,
    @Inject(MONITOR_REPOSITORY) private readonly repository: MonitorRepository,
    private readonly metrics: MonitorMetrics,
    private readonly operations: ModelOperations,
  ) {}

  /** One thing at a time on model state. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.serializer.run(task);
  }

  get size(): number {
    return this.models.size;
  }

  get(modelId: string): OwnedModel | undefined {
    return this.models.get(modelId);
  }

  all(): IterableIterator<OwnedModel> {
    return this.models.values();
  }

  /** State of models (and positions) whose partition moved away is dropped: the new owner restores it from the checkpoint. */
  keepPartitions(assigned: ReadonlySet<number>): void {
    for (const [modelId, owned] of this.models) {
      if (assigned.has(owned.partition)) continue;
      this.models.delete(modelId);
      this.operations.forget(modelId);
    }
    for (const key of this.positions.keys()) if (!assigned.has(Number(key.split(':').pop()))) this.positions.delete(key);
    this.metrics.modelsOwned.set(this.models.size);
  }

  /** The model's state, restored from its checkpoint the first time this instance sees it. */
  async own(modelId: string, partition: number): Promise<OwnedModel> {
    const known = this.models.get(modelId);
    if (known) return known;
    const [checkpoint, overrides, references] = await Promise.all([
      this.repository.loadCheckpoint(modelId),
      this.repository.loadConfigOverrides([modelId]),
      this.repository.loadReferences([modelId]),
    ]);
    const config = effectiveConfig(this.config.modelDefaults, overrides.get(modelId));
    const options = { snapshotIntervalMs: this.config.snapshotIntervalMs, clock: SYSTEM_CLOCK, ids: RANDOM_IDS };
    const samePartition = checkpoint && checkpoint.predictionsPartition === partition;
    const state = samePartition ? await this.withReference(checkpoint.state) : undefined;
    const owned: OwnedModel = {
      monitor: state ? ModelMonitor.fromJSON(state, config, options) : new ModelMonitor(modelId, config, options),
      partition,
      restoredUpTo: samePartition ? { predictions: checkpoint.predictionsOffset, labels: checkpoint.labelsOffset } : { predictions: 0, labels: 0 },
      dirty: false,
      referenceAppliedAt: 0,
      storedReferenceId: state?.referenceId ?? null,
    };
    const reference = references.get(modelId);
    if (reference) {
      if (samePartition && checkpoint.state.referenceSource === 'registered' && checkpoint.checkpointedAt.getTime() >= reference.updatedAt) {
        owned.referenceAppliedAt = reference.updatedAt;
      } else {
        this.applyReference(owned, reference.summary, reference.updatedAt);
      }
    }
    this.models.set(modelId, owned);
    this.metrics.modelsOwned.set(this.models.size);
    this.logger.log({ message: 'model owned', modelId, partition, restoredFrom: samePartition ? owned.restoredUpTo : null });
    return owned;
  }

  /**
   * The checkpoint's state with its drift reference back inline. A reference that cannot be
   * found (its row deleted by hand) costs the reference only: the model warms a new one up
   * from its next predictions and keeps everything else.
   */
  private async withReference(state: ModelMonitorState): Promise<ModelMonitorState> {
    if (!state.referenceId || state.reference) return state;
    const reference = await this.repository.loadCheckpointReference(state.modelId, state.referenceId);
    if (reference) return { ...state, reference };
    this.logger.error({ message: 'checkpoint reference missing: warming a new reference up', modelId: state.modelId, referenceId: state.referenceId });
    return { ...state, referenceId: undefined, referenceSource: null, warmup: null, warmupRows: 0 };
  }

  applyReference(owned: OwnedModel, summary: DatasetSummaryJSON, updatedAt: number): void {
    owned.monitor.setReference(DatasetSummary.fromJSON(summary));
    owned.referenceAppliedAt = updatedAt;
    owned.dirty = true;
  }

  refreshOperations(now: number): void {
    this.operations.refresh(this.monitors(), now);
  }

  /** Every MONITOR_CONFIG_REFRESH_MS: applies configuration overrides and registered references written through any instance's API. */
  async refreshConfigsIfDue(now: number): Promise<void> {
    if (now - this.lastConfigRefresh < this.config.configRefreshMs) return;
    this.lastConfigRefresh = now;
    const ids = [...this.models.keys()];
    try {
      const [overrides, references] = await Promise.all([this.repository.loadConfigOverrides(ids), this.repository.loadReferences(ids)]);
      for (const [modelId, owned] of this.models) {
        const config = effectiveConfig(this.config.modelDefaults, overrides.get(modelId));
        if (JSON.stringify(config) !== JSON.stringify(owned.monitor.currentConfig)) {
          owned.monitor.setConfig(config);
          owned.dirty = true;
        }
        const reference = references.get(modelId);
        if (reference && reference.updatedAt > owned.referenceAppliedAt) this.applyReference(owned, reference.summary, reference.updatedAt);
      }
    } catch (error) {
      this.logger.warn({ message: 'config refresh failed', error: String(error) });
    }
  }

  private *monitors(): IterableIterator<[string, ModelMonitor]> {
    for (const [modelId, owned] of this.models) yield [modelId, owned.monitor];
  }
}
