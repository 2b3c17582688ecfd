import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AlertmanagerClient, dashboardLink, MetricsRegistry } from '@vigil/common';
import { IncidentAlerts } from './core/incident-alerts';
import { LifecycleService } from './lifecycle.service';
import { ORCHESTRATOR_CONFIG, OrchestratorConfig } from './orchestrator.config';

/** How often open incidents are compared with what Alertmanager was told (a closed incident resolves within this). */
const CHECK_INTERVAL_MS = 1_000;

/**
 * Open incidents to Alertmanager's API v2 (when ALERTMANAGER_URL is set), off the Kafka
 * path: a timer reads the engine's open incidents and posts what changed or is due again.
 */
@Injectable()
export class LifecycleAlertmanager implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly client: AlertmanagerClient | null;
  private readonly alerts: IncidentAlerts;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(ORCHESTRATOR_CONFIG) config: OrchestratorConfig,
    private readonly lifecycle: LifecycleService,
    registry: MetricsRegistry,
  ) {
    const { url, resendMs, dashboardUrl } = config.alertmanager;
    this.client = url === '' ? null : new AlertmanagerClient(url, 'orchestrator', registry);
    this.alerts = new IncidentAlerts({ resendMs, dashboardLink: (modelId) => dashboardLink(dashboardUrl, modelId) });
  }

  onApplicationBootstrap(): void {
    if (!this.client) return;
    this.timer = setInterval(() => this.client!.send(this.alerts.update(this.lifecycle.openIncidents(), Date.now())), CHECK_INTERVAL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.client?.close();
  }
}
