import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@vigil/common';
import { Counter, Gauge, Histogram } from 'prom-client';

/** Prometheus series of the dashboard (docs/dashboard.md). */
@Injectable()
export class DashboardMetrics {
  readonly liveClients: Gauge;
  readonly liveChanges: Counter;
  readonly apiSeconds: Histogram<'endpoint'>;

  constructor(registry: MetricsRegistry) {
    this.liveClients = new Gauge({ name: 'vigil_dashboard_live_clients', help: 'Browsers connected to the live stream', registers: [registry] });
    this.liveChanges = new Counter({ name: 'vigil_dashboard_live_changes_total', help: 'Polls that found new snapshots, alerts or incident rows', registers: [registry] });
    this.apiSeconds = new Histogram({
      name: 'vigil_dashboard_api_duration_seconds',
      help: 'Time to answer a read API request, by endpoint (fleet, model, incident)',
      labelNames: ['endpoint'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      registers: [registry],
    });
  }
}
