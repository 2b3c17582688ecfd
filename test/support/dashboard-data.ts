import { ClickHouseClient } from '@clickhouse/client';
import type { Alert, Evidence, MetricSnapshot } from '@vigil/contracts';
import { randomUUID } from 'node:crypto';
import { LifecycleRepository } from '../../apps/orchestrator/src/lifecycle.repository';
import { MonitorRepository } from '../../apps/monitor/src/monitor.repository';

/**
 * Demo-like dashboard data written through the real repositories the monitor and the
 * orchestrator write with (no hand-built rows): version-level and segment snapshots,
 * alerts, deployments, an incident and its decisions. Deterministic given its options.
 */

export interface SeedOptions {
  modelId: string;
  /** End of the story (latest snapshot), epoch ms. */
  endMs: number;
  spanMs: number;
  snapshotEveryMs: number;
  /** Fraction of the span after which v2 is deployed (its accuracy drops: the story's bad deployment). */
  deployAt?: number;
  /** Segments per snapshot (country = FR, DE…); 0 = none. */
  segments?: number;
  /** Write an alert, an incident and its decisions around the drop (default true). */
  incident?: boolean;
}

export const SEED_FEATURES = ['amount', 'channel', 'country'] as const;
const COUNTRIES = ['FR', 'DE', 'ES', 'IT', 'NL'];

export interface SeededModel {
  modelId: string;
  deployments: { version: string; deployedAtMs: number }[];
  snapshots: number;
  incidentId: string | null;
  alertId: string | null;
}

/** Accuracy of a version at step `i`: v1 steady near 0.92; v2 falls to ~0.7 (a smooth, deterministic wobble, no randomness). */
function accuracyAt(version: string, i: number): number {
  const wobble = 0.01 * Math.sin(i / 7);
  return version === 'v1' ? 0.92 + wobble : 0.7 + wobble;
}

function snapshot(modelId: string, version: string, i: number, t: number, everyMs: number, segment?: string): MetricSnapshot {
  const drifting = version === 'v2';
  const accuracy = accuracyAt(version, i) - (segment === 'DE' ? 0.05 : 0);
  const metrics: Record<string, number> = {
    accuracy,
    f1_macro: accuracy - 0.03,
    latency_p50: 8 + Math.sin(i / 5),
    latency_p95: 15 + 2 * Math.sin(i / 5),
    latency_p99: 25 + 4 * Math.sin(i / 3),
    latency_count: 200,
  };
  if (!segment) {
    Object.assign(metrics, {
      'drift.share': drifting ? 2 / 3 : 0,
      'drift.drifted_columns': drifting ? 2 : 0,
      'quality.breached_columns': drifting && i % 40 < 6 ? 1 : 0,
      'drift.amount': drifting ? 0.31 : 0.04,
      'drift.amount.p_value': drifting ? 0.0001 : 0.4 + 0.1 * Math.sin(i),
      'drift.channel': drifting ? 12.5 : 1.2,
      'drift.channel.p_value': drifting ? 0.002 : 0.6,
      'drift.country': 0.8,
      'drift.country.p_value': 0.7,
    });
  }
  return {
    eventId: randomUUID(),
    modelId,
    modelVersion: version,
    segmentKey: segment ? 'country' : '',
    segmentValue: segment ?? '',
    windowStart: new Date(t - everyMs),
    windowEnd: new Date(t),
    predictionCount: 200 * (i + 1),
    labelledCount: 150 * (i + 1),
    metrics,
  };
}

export function driftAlert(modelId: string, version: string, observedAtMs: number): Alert {
  const window = { windowStart: new Date(observedAtMs - 600_000), windowEnd: new Date(observedAtMs), baseline: null };
  const evidence: Evidence[] = [
    { ...window, metric: 'drift.ks.p_value', value: 0.0001, threshold: 0.05, feature: 'amount', sampleSize: 500 },
    { ...window, metric: 'drift.chisquare.p_value', value: 0.002, threshold: 0.05, feature: 'channel', sampleSize: 500 },
    { ...window, metric: 'drift.share', value: 2 / 3, threshold: 0.5, feature: null, sampleSize: 500 },
  ];
  return {
    alertId: randomUUID(),
    modelId,
    modelVersion: version,
    kind: 'DRIFT',
    severity: 'WARNING',
    rule: 'dataset_drift',
    since: new Date(observedAtMs),
    observedAt: new Date(observedAtMs),
    message: '2 of 3 columns drifted (share 0.667 ≥ 0.5): amount, channel',
    evidence,
  };
}

export function accuracyAlert(modelId: string, version: string, observedAtMs: number): Alert {
  return {
    alertId: randomUUID(),
    modelId,
    modelVersion: version,
    kind: 'PERFORMANCE',
    severity: 'CRITICAL',
    rule: 'accuracy_drop',
    since: new Date(observedAtMs),
    observedAt: new Date(observedAtMs),
    message: 'accuracy 0.700 fell below the baseline 0.920 by more than 0.05',
    evidence: [{ metric: 'accuracy', value: 0.7, threshold: 0.87, baseline: 0.92, feature: null, windowStart: new Date(observedAtMs - 600_000), windowEnd: new Date(observedAtMs), sampleSize: 500 }],
  };
}

/** Writes one model's story; snapshots in batches of 5 000 rows. */
export async function seedModel(client: ClickHouseClient, o: SeedOptions): Promise<SeededModel> {
  const monitor = new MonitorRepository(client);
  const lifecycle = new LifecycleRepository(client);
  const startMs = o.endMs - o.spanMs;
  const deployMs = Math.floor(startMs + o.spanMs * (o.deployAt ?? 0.6));
  const steps = Math.floor(o.spanMs / o.snapshotEveryMs);
  let batch: MetricSnapshot[] = [];
  let written = 0;
  for (let i = 0; i <= steps; i++) {
    const t = startMs + i * o.snapshotEveryMs;
    const version = t < deployMs ? 'v1' : 'v2';
    batch.push(snapshot(o.modelId, version, i, t, o.snapshotEveryMs));
    for (const country of COUNTRIES.slice(0, o.segments ?? 0)) batch.push(snapshot(o.modelId, version, i, t, o.snapshotEveryMs, country));
    if (batch.length >= 5_000) {
      await monitor.insertSnapshots(batch);
      written += batch.length;
      batch = [];
    }
  }
  await monitor.insertSnapshots(batch);
  written += batch.length;
  const deployments = [
    { version: 'v1', deployedAtMs: startMs, reason: 'initial' },
    { version: 'v2', deployedAtMs: deployMs, reason: 'manual' },
  ];
  await lifecycle.insertDeployments(
    deployments.map((d) => ({ modelId: o.modelId, deployment: { eventId: randomUUID(), version: d.version, deployedAt: d.deployedAtMs, reason: d.reason, incidentId: null }, artifactUri: null, changedBy: '' })),
  );
  if (o.incident === false) return { modelId: o.modelId, deployments, snapshots: written, incidentId: null, alertId: null };
  const alertMs = Math.min(o.endMs, deployMs + 3 * o.snapshotEveryMs);
  const alerts = [driftAlert(o.modelId, 'v2', alertMs), accuracyAlert(o.modelId, 'v2', alertMs)];
  await monitor.insertAlerts(alerts);
  const incidentId = randomUUID();
  const opening = alerts[1];
  const request = {
    action: 'rollback',
    event: {
      eventId: randomUUID(),
      incidentId,
      modelId: o.modelId,
      fromVersion: 'v2',
      toVersion: 'v1',
      requestedAt: new Date(alertMs),
      policy: 'default',
      reason: 'accuracy of v2 is 0.220 below v1 within 1 h of its deployment',
      evidence: opening.evidence,
    },
  };
  await lifecycle.writeIncidents(
    [
      {
        incident: { incidentId, modelId: o.modelId, modelVersion: 'v2', action: 'rollback', openingEventId: opening.alertId, openedAt: alertMs },
        request: { topic: 'vigil.rollback-requested', eventId: request.event.eventId, json: JSON.stringify(request), policy: 'default', reason: request.event.reason },
        source: { topic: 'vigil.alerts', partition: 0, offset: 0 },
      },
    ],
    [],
  );
  await lifecycle.insertDecisions([
    {
      decision: { modelId: o.modelId, modelVersion: 'v2', sourceEventType: 'alert', sourceEventId: opening.alertId, action: 'rollback', outcome: 'rollback_requested', reasons: [request.event.reason], incidentId },
      policy: 'default',
      decidedAt: alertMs,
      changedBy: '',
    },
  ]);
  return { modelId: o.modelId, deployments, snapshots: written, incidentId, alertId: opening.alertId };
}
