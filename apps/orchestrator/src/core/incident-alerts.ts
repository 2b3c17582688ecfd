import type { AlertmanagerAlert } from '@vigil/common';
import type { IncidentRecord } from './state';

export interface IncidentAlertsOptions {
  /** Open incidents are sent again this often so Alertmanager keeps them open. */
  resendMs: number;
  /** The dashboard page of a model (undefined = no link). */
  dashboardLink: (modelId: string) => string | undefined;
}

/**
 * Open incidents (a RetrainRequested or RollbackRequested awaiting its answer) as
 * Alertmanager alerts: firing while the incident is open, with `endsAt = now + 4 ×
 * resend interval` (Prometheus's rule), resolved with `endsAt = now` once it closes.
 * Pure: the caller supplies the open incidents and the clock.
 */
export class IncidentAlerts {
  private readonly sent = new Map<string, { alert: AlertmanagerAlert; sentAt: number }>();

  constructor(private readonly options: IncidentAlertsOptions) {}

  update(open: IncidentRecord[], now: number): AlertmanagerAlert[] {
    const out: AlertmanagerAlert[] = [];
    const current = new Set(open.map((i) => i.incidentId));
    for (const incident of open) {
      const known = this.sent.get(incident.incidentId);
      if (known && now - known.sentAt < this.options.resendMs) continue;
      const alert = this.alertOf(incident, now);
      this.sent.set(incident.incidentId, { alert, sentAt: now });
      out.push(alert);
    }
    for (const [incidentId, { alert }] of this.sent) {
      if (current.has(incidentId)) continue;
      this.sent.delete(incidentId);
      out.push({ ...alert, endsAt: new Date(now).toISOString() });
    }
    return out;
  }

  private alertOf(incident: IncidentRecord, now: number): AlertmanagerAlert {
    const link = this.options.dashboardLink(incident.modelId);
    const annotations: Record<string, string> = {
      summary: `${incident.action} requested for ${incident.modelId} ${incident.modelVersion} (incident ${incident.incidentId})`,
      description: `Incident ${incident.incidentId} opened at ${new Date(incident.openedAt).toISOString()}; it resolves when the ${incident.action} is answered.`,
    };
    if (link) annotations.dashboard = link;
    return {
      labels: {
        alertname: 'VigilLifecycleRequest',
        model: incident.modelId,
        version: incident.modelVersion,
        rule: `${incident.action}_requested`,
        severity: 'critical',
        incident: incident.incidentId,
        service: 'vigil-orchestrator',
      },
      annotations,
      startsAt: new Date(incident.openedAt).toISOString(),
      endsAt: new Date(now + 4 * this.options.resendMs).toISOString(),
      ...(link ? { generatorURL: link } : {}),
    };
  }
}
