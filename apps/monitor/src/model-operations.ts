import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AlertmanagerClient, dashboardLink, MetricsRegistry } from '@vigil/common';
import type { Alert, MetricSnapshot } from '@vigil/contracts';
import { AlertmanagerSync } from './core/alertmanager-sync';
import type { ModelMonitor } from './core/model-monitor';
import { OpenAlerts, versionSeriesOf } from './core/model-series';
import { ModelSeriesMetrics } from './model-series.metrics';
import { MONITOR_CONFIG, MonitorConfig } from './monitor.config';

/**
 * Refreshes closer together than this are skipped: batches arrive far more often than
 * people or Alertmanager need, and each refresh walks every owned model. The monitor's
 * 1-s timer still refreshes, so nothing waits longer than about a second.
 */
const MIN_REFRESH_INTERVAL_MS = 250;

/**
 * What people and their tools see of the models this instance owns: the per-model
 * Prometheus series and the alerts kept in step with Alertmanager. Fed by the monitor's
 * published outputs and its open episodes; never awaited on the Kafka path.
 */
@Injectable()
export class ModelOperations implements OnApplicationShutdown {
  private readonly openAlerts = new Map<string, OpenAlerts>();
  /** Models that published a version snapshot since the last refresh. */
  private readonly snapshotted = new Set<string>();
  private readonly sync: AlertmanagerSync;
  private readonly alertmanager: AlertmanagerClient | null;
  private lastRefresh = 0;

  constructor(
    @Inject(MONITOR_CONFIG) config: MonitorConfig,
    private readonly series: ModelSeriesMetrics,
    registry: MetricsRegistry,
  ) {
    this.sync = new AlertmanagerSync({ resendMs: config.alertmanager.resendMs, dashboardLink: (modelId) => dashboardLink(config.alertmanager.dashboardUrl, modelId) });
    this.alertmanager = config.alertmanager.url === '' ? null : new AlertmanagerClient(config.alertmanager.url, 'monitor', registry);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.alertmanager?.close();
  }

  /** Outputs that reached Kafka. */
  published(snapshots: MetricSnapshot[], alerts: Alert[]): void {
    for (const alert of alerts) this.alertsOf(alert.modelId).observe(alert);
    for (const snapshot of snapshots) {
      const version = versionSeriesOf(snapshot);
      if (!version) continue;
      this.series.setVersion(snapshot.modelId, version);
      this.snapshotted.add(snapshot.modelId);
    }
  }

  /** After each publication: open alerts of every owned model to Prometheus and Alertmanager. */
  refresh(models: Iterable<[string, ModelMonitor]>, now: number): void {
    if (now - this.lastRefresh < MIN_REFRESH_INTERVAL_MS) return;
    this.lastRefresh = now;
    const outgoing = [];
    for (const [modelId, monitor] of models) {
      const open = this.alertsOf(modelId).of(monitor.openEpisodes());
      this.series.setOpenAlerts(modelId, open);
      if (this.alertmanager) outgoing.push(...this.sync.update(modelId, open, now));
      // Join figures with each snapshot only: currentMetrics walks every group.
      if (this.snapshotted.has(modelId)) this.series.setJoin(modelId, monitor.currentMetrics().labels);
    }
    this.snapshotted.clear();
    this.alertmanager?.send(outgoing);
  }

  /** The model moved to another instance, which now exports it and keeps its alerts open. */
  forget(modelId: string): void {
    this.openAlerts.delete(modelId);
    this.snapshotted.delete(modelId);
    this.series.removeModel(modelId);
    this.sync.forget(modelId);
  }

  private alertsOf(modelId: string): OpenAlerts {
    let alerts = this.openAlerts.get(modelId);
    if (!alerts) this.openAlerts.set(modelId, (alerts = new OpenAlerts()));
    return alerts;
  }
}
