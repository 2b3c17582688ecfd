import type { AlertmanagerAlert } from '@vigil/common';
import { evidenceSummary, OpenAlert } from './model-series';

export interface AlertmanagerSyncOptions {
  /** Firing alerts are sent again this often, as Prometheus does, so Alertmanager keeps them open. */
  resendMs: number;
  /** The dashboard page of a model (undefined = no link). */
  dashboardLink: (modelId: string) => string | undefined;
}

interface Sent {
  alert: AlertmanagerAlert;
  sentAt: number;
}

/**
 * Keeps Alertmanager in step with the open alert episodes of the models this instance
 * owns. Each firing alert carries `endsAt = now + 4 × resend interval` (Prometheus's
 * rule), so if this instance dies, Alertmanager resolves it after that unless the model's
 * new owner sends it again; an episode that clears is sent once with `endsAt = now`.
 * Pure: the caller supplies the clock and posts what it returns.
 */
export class AlertmanagerSync {
  private readonly firing = new Map<string, Map<string, Sent>>();

  constructor(private readonly options: AlertmanagerSyncOptions) {}

  /** What to post for one model given its open alerts now. */
  update(modelId: string, open: OpenAlert[], now: number): AlertmanagerAlert[] {
    const known = this.firing.get(modelId) ?? new Map<string, Sent>();
    const out: AlertmanagerAlert[] = [];
    const current = new Set<string>();
    for (const alert of open) {
      const key = `${alert.version}\u0000${alert.rule}`;
      current.add(key);
      const sent = known.get(key);
      const changed = sent !== undefined && alert.last !== null && sent.alert.annotations.description !== alert.last.message;
      if (sent === undefined || changed || now - sent.sentAt >= this.options.resendMs) {
        const next = this.firingAlert(modelId, alert, sent?.alert.startsAt, now);
        known.set(key, { alert: next, sentAt: now });
        out.push(next);
      }
    }
    for (const [key, sent] of known) {
      if (current.has(key)) continue;
      known.delete(key);
      out.push({ ...sent.alert, endsAt: new Date(now).toISOString() });
    }
    if (known.size > 0) this.firing.set(modelId, known);
    else this.firing.delete(modelId);
    return out;
  }

  /** The model moved to another instance: its new owner keeps its alerts open, so nothing is resolved here. */
  forget(modelId: string): void {
    this.firing.delete(modelId);
  }

  private firingAlert(modelId: string, alert: OpenAlert, startedAt: string | undefined, now: number): AlertmanagerAlert {
    const annotations: Record<string, string> = {
      summary: alert.last ? evidenceSummary(alert.last) : `episode open (restored from a checkpoint)`,
      description: alert.last?.message ?? `${alert.rule} is open for ${modelId} ${alert.version}`,
    };
    const link = this.options.dashboardLink(modelId);
    if (link) annotations.dashboard = link;
    return {
      labels: { alertname: 'VigilModelAlert', model: modelId, version: alert.version, rule: alert.rule, severity: alert.severity, service: 'vigil-monitor' },
      annotations,
      startsAt: startedAt ?? (alert.last ? alert.last.since.toISOString() : new Date(now).toISOString()),
      endsAt: new Date(now + 4 * this.options.resendMs).toISOString(),
      ...(link ? { generatorURL: link } : {}),
    };
  }
}
