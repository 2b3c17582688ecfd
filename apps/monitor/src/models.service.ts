import { Inject, Injectable } from '@nestjs/common';
import type { Task } from '@vigil/contracts';
import { DatasetSummary } from '@vigil/monitoring';
import { checkModelConfig, effectiveConfig, ModelConfig } from './core/model-config';
import { ModelMonitor } from './core/model-monitor';
import { MONITOR_CONFIG, MonitorConfig } from './monitor.config';
import { MONITOR_REPOSITORY, MonitorRepository } from './monitor.repository';
import { OwnedModels } from './owned-models';

/** What the HTTP API reads and changes: the owned models' metrics, configuration overrides and registered references. */
@Injectable()
export class ModelsService {
  constructor(
    @Inject(MONITOR_CONFIG) private readonly config: MonitorConfig,
    @Inject(MONITOR_REPOSITORY) private readonly repository: MonitorRepository,
    private readonly owned: OwnedModels,
  ) {}

  /** Undefined when another instance owns the model (or it sent no event yet). */
  currentMetrics(modelId: string): ReturnType<ModelMonitor['currentMetrics']> | undefined {
    return this.owned.get(modelId)?.monitor.currentMetrics();
  }

  async configOf(modelId: string): Promise<ModelConfig> {
    const overrides = await this.repository.loadConfigOverrides([modelId]);
    return effectiveConfig(this.config.modelDefaults, overrides.get(modelId));
  }

  /**
   * Checks the effective configuration for the model's task (DetectorConfigError naming the field) before anything is saved.
   * `changedBy`: the API token that made the change, stored with the row.
   */
  async saveConfig(modelId: string, override: Partial<ModelConfig>, changedBy: string): Promise<ModelConfig> {
    const config = effectiveConfig(this.config.modelDefaults, override);
    checkModelConfig(config, await this.taskOf(modelId));
    await this.repository.saveConfigOverride(modelId, override, changedBy);
    await this.owned.exclusive(async () => {
      const owned = this.owned.get(modelId);
      if (owned) {
        owned.monitor.setConfig(config);
        owned.dirty = true;
      }
    });
    return config;
  }

  /** The number of reference rows the summary holds. */
  async saveReference(modelId: string, summary: DatasetSummary, changedBy: string): Promise<number> {
    const json = summary.toJSON();
    const rows = Math.max(0, ...Object.values(summary.columns).map((c) => c.rows));
    await this.repository.saveReference(modelId, json, rows, changedBy);
    await this.owned.exclusive(async () => {
      const owned = this.owned.get(modelId);
      if (owned) this.owned.applyReference(owned, json, Date.now());
    });
    return rows;
  }

  /** The task of the model's predictions: from its state here, else from its checkpoint; null when none came yet. */
  private async taskOf(modelId: string): Promise<Task | null> {
    const owned = this.owned.get(modelId);
    if (owned) return owned.monitor.modelTask;
    return (await this.repository.loadCheckpoint(modelId))?.state.task ?? null;
  }
}
