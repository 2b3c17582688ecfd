import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { clickhouseTimeMs } from './core';
import { DASHBOARD_CONFIG, DashboardConfig } from './dashboard.config';
import { DashboardRepository, LiveCursor } from './dashboard.repository';
import { DashboardMetrics } from './dashboard.metrics';

/** What a live client is told after a poll found a change (docs/dashboard.md "Live updates"). */
export interface LiveChange {
  snapshots: boolean;
  incidents: boolean;
  /** The alerts written since the previous poll (newest first, at most 20). */
  alerts: { alertId: string; modelId: string; version: string; rule: string; severity: string; observedAt: string; message: string }[];
}

const MAX_ALERTS_PER_CHANGE = 20;

/**
 * One ClickHouse poll for all connected clients, only while any is connected: the
 * dashboard needs no Kafka consumer (and no consumer group) to show new snapshots and
 * alerts. A change is a grown alert count, a newer snapshot publication or a newer
 * incident row.
 */
@Injectable()
export class LiveService implements OnApplicationShutdown {
  private readonly logger = new Logger('Live');
  private readonly listeners = new Set<(change: LiveChange) => void>();
  private timer: NodeJS.Timeout | undefined;
  private cursor: LiveCursor | undefined;
  private polling = false;

  constructor(
    private readonly repository: DashboardRepository,
    @Inject(DASHBOARD_CONFIG) private readonly config: DashboardConfig,
    private readonly metrics: DashboardMetrics,
  ) {}

  subscribe(listener: (change: LiveChange) => void): () => void {
    this.listeners.add(listener);
    this.metrics.liveClients.set(this.listeners.size);
    this.timer ??= setInterval(() => void this.poll(), this.config.livePollMs);
    return () => {
      this.listeners.delete(listener);
      this.metrics.liveClients.set(this.listeners.size);
      if (this.listeners.size === 0) this.stop();
    };
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.cursor = undefined;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const next = await this.repository.liveCursor();
      const previous = this.cursor;
      this.cursor = next;
      if (!previous) return;
      const added = next.alerts - previous.alerts;
      const change: LiveChange = {
        snapshots: next.lastSnapshotPublishedAt !== previous.lastSnapshotPublishedAt,
        incidents: next.incidentVersion !== previous.incidentVersion,
        alerts:
          added > 0
            ? (await this.repository.newestAlerts(Math.min(added, MAX_ALERTS_PER_CHANGE))).map((a) => ({
                alertId: a.alert_id,
                modelId: a.model_id,
                version: a.model_version,
                rule: a.rule,
                severity: a.severity,
                observedAt: new Date(clickhouseTimeMs(a.observed_at)).toISOString(),
                message: a.message,
              }))
            : [],
      };
      if (!change.snapshots && !change.incidents && change.alerts.length === 0) return;
      this.metrics.liveChanges.inc();
      for (const listener of this.listeners) listener(change);
    } catch (error) {
      this.logger.warn({ message: 'live poll failed', error: (error as Error).message });
    } finally {
      this.polling = false;
    }
  }

  onApplicationShutdown(): void {
    this.stop();
  }
}
