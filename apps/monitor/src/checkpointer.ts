import { Inject, Injectable, Logger } from '@nestjs/common';
import { StorageUnavailableError } from '@vigil/common';
import { topicMap, TopicMap } from '@vigil/contracts';
import { KafkaBatchTransport } from '@vigil/messaging';
import { MONITOR_CONFIG, MonitorConfig } from './monitor.config';
import { MonitorMetrics } from './monitor.metrics';
import { Checkpoint, MONITOR_REPOSITORY, MonitorRepository } from './monitor.repository';
import { OwnedModels } from './owned-models';

/**
 * Writes every changed model's state with the positions it covers (its drift reference once
 * per content, apart), then commits those
 * positions: the committed offset never passes what a checkpoint holds, so a restarted or
 * new owner resumes from the checkpoint and replays the rest. Called inside OwnedModels' queue.
 */
@Injectable()
export class Checkpointer {
  private readonly logger = new Logger('Checkpointer');
  private readonly topics: TopicMap;
  private lastAttempt = Date.now();

  constructor(
    @Inject(MONITOR_CONFIG) private readonly config: MonitorConfig,
    @Inject(MONITOR_REPOSITORY) private readonly repository: MonitorRepository,
    private readonly owned: OwnedModels,
    private readonly transport: KafkaBatchTransport,
    private readonly metrics: MonitorMetrics,
  ) {
    this.topics = topicMap(config.topicPrefix);
  }

  due(now: number): boolean {
    return now - this.lastAttempt >= this.config.checkpointIntervalMs;
  }

  /** Whether storage took the checkpoint, or refused it for another reason than being unavailable (/health's `storage`). */
  async checkpoint(): Promise<boolean> {
    this.lastAttempt = Date.now();
    const checkpointedAt = new Date();
    const { positions } = this.owned;
    const dirty = [...this.owned.all()].filter((m) => m.dirty);
    const parts = dirty.map((owned) => owned.monitor.toCheckpoint());
    const references = dirty.flatMap((owned, i) => {
      const reference = parts[i].reference;
      if (!reference || reference.id === owned.storedReferenceId) return [];
      return [{ modelId: owned.monitor.modelId, referenceId: reference.id, summary: reference.summary() }];
    });
    const checkpoints: Checkpoint[] = dirty.map((owned, i) => ({
      modelId: owned.monitor.modelId,
      predictionsPartition: owned.partition,
      predictionsOffset: Math.max(positions.get(`${this.topics.predictions}:${owned.partition}`) ?? 0, owned.restoredUpTo.predictions),
      labelsPartition: owned.partition,
      labelsOffset: Math.max(positions.get(`${this.topics.labels}:${owned.partition}`) ?? 0, owned.restoredUpTo.labels),
      state: parts[i].state,
      checkpointedAt,
    }));
    try {
      // References first: a stored checkpoint always finds the reference it names.
      await this.repository.saveCheckpointReferences(references);
      await this.repository.saveCheckpoints(checkpoints);
    } catch (error) {
      this.logger.warn({ message: 'checkpoint failed; offsets not committed', error: String(error) });
      return !(error instanceof StorageUnavailableError);
    }
    dirty.forEach((owned, i) => {
      owned.dirty = false;
      owned.storedReferenceId = parts[i].reference?.id ?? null;
    });
    this.metrics.checkpointsWritten.inc(checkpoints.length);
    const offsets = [...positions].map(([key, offset]) => {
      const cut = key.lastIndexOf(':');
      return { topic: key.slice(0, cut), partition: Number(key.slice(cut + 1)), offset: String(offset) };
    });
    this.metrics.lastCheckpointAt = checkpointedAt.getTime();
    try {
      if (offsets.length > 0) await this.transport.commitOffsets(offsets);
    } catch (error) {
      // Harmless: the checkpoints carry their own offsets and replay skips what they cover.
      this.logger.warn({ message: 'offset commit failed; the next checkpoint commits again', error: String(error) });
    }
    return true;
  }
}
