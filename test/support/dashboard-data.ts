import { ClickHouseClient } from '@clickhouse/client';
import type { Alert, Evidence, MetricSnapshot } from '@vigil/contracts';
import { randomUUID } from 'node:crypto';
import { AuditEntry, DeploymentEntry, LifecycleRepository, OpenedIncident } from '../../apps/orchestrator/src/lifecycle.repository';
import { MonitorRepository } from '../../apps/monitor/src/monitor.repository';
import { IngestRepository } from '../../apps/ingestor/src/ingest.repository';
import { EncodedRow, labelRow, predictionRow, Row } from '../../apps/ingestor/src/rows';
import { labelEvent, predictionEvent } from './events';

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
      // The CBPE estimate (before labels) of v2 is 0.02 under its realised accuracy: a visible second line, not a computed value.
      ...(version === 'v2' && { estimated_accuracy: accuracy - 0.02, estimated_accuracy_lower: accuracy - 0.07, estimated_accuracy_upper: accuracy + 0.03 }),
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
    evidence: [
      {
        metric: 'accuracy',
        value: 0.7,
        threshold: 0.87,
        baseline: 0.92,
        feature: null,
        windowStart: new Date(observedAtMs - 600_000),
        windowEnd: new Date(observedAtMs),
        sampleSize: 500,
      },
    ],
  };
}

/** The rows of one model's story, written by `seedModels`. */
interface Story {
  seeded: SeededModel;
  snapshots: MetricSnapshot[];
  alerts: Alert[];
  deployments: DeploymentEntry[];
  incidents: OpenedIncident[];
  decisions: AuditEntry[];
}

function story(o: SeedOptions): Story {
  const startMs = o.endMs - o.spanMs;
  const deployMs = Math.floor(startMs + o.spanMs * (o.deployAt ?? 0.6));
  const steps = Math.floor(o.spanMs / o.snapshotEveryMs);
  const snapshots: MetricSnapshot[] = [];
  for (let i = 0; i <= steps; i++) {
    const t = startMs + i * o.snapshotEveryMs;
    const version = t < deployMs ? 'v1' : 'v2';
    snapshots.push(snapshot(o.modelId, version, i, t, o.snapshotEveryMs));
    for (const country of COUNTRIES.slice(0, o.segments ?? 0)) snapshots.push(snapshot(o.modelId, version, i, t, o.snapshotEveryMs, country));
  }
  const releases = [
    { version: 'v1', deployedAtMs: startMs, reason: 'initial' },
    { version: 'v2', deployedAtMs: deployMs, reason: 'manual' },
  ];
  const deployments = releases.map((d) => ({
    modelId: o.modelId,
    deployment: { eventId: randomUUID(), version: d.version, deployedAt: d.deployedAtMs, reason: d.reason, incidentId: null },
    artifactUri: null,
    changedBy: '',
  }));
  const seeded: SeededModel = { modelId: o.modelId, deployments: releases, snapshots: snapshots.length, incidentId: null, alertId: null };
  if (o.incident === false) return { seeded, snapshots, alerts: [], deployments, incidents: [], decisions: [] };
  const alertMs = Math.min(o.endMs, deployMs + 3 * o.snapshotEveryMs);
  const alerts = [driftAlert(o.modelId, 'v2', alertMs), accuracyAlert(o.modelId, 'v2', alertMs)];
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
  const incidents: OpenedIncident[] = [
    {
      incident: { incidentId, modelId: o.modelId, modelVersion: 'v2', action: 'rollback', openingEventId: opening.alertId, openedAt: alertMs },
      request: { topic: 'vigil.rollback-requested', eventId: request.event.eventId, json: JSON.stringify(request), policy: 'default', reason: request.event.reason },
      source: { topic: 'vigil.alerts', partition: 0, offset: 0 },
    },
  ];
  const decisions: AuditEntry[] = [
    {
      decision: {
        modelId: o.modelId,
        modelVersion: 'v2',
        sourceEventType: 'alert',
        sourceEventId: opening.alertId,
        action: 'rollback',
        outcome: 'rollback_requested',
        reasons: [request.event.reason],
        incidentId,
      },
      policy: 'default',
      decidedAt: alertMs,
      changedBy: '',
    },
  ];
  return { seeded: { ...seeded, incidentId, alertId: opening.alertId }, snapshots, alerts, deployments, incidents, decisions };
}

const BATCH = 20_000;

async function inBatches<T>(rows: T[], write: (batch: T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await write(rows.slice(i, i + BATCH));
}

/** Writes the stories of many models, each table in batches of 20 000 rows. */
export async function seedModels(client: ClickHouseClient, options: SeedOptions[]): Promise<SeededModel[]> {
  const monitor = new MonitorRepository(client);
  const lifecycle = new LifecycleRepository(client);
  const stories = options.map(story);
  await inBatches(
    stories.flatMap((s) => s.snapshots),
    (b) => monitor.insertSnapshots(b),
  );
  await inBatches(
    stories.flatMap((s) => s.alerts),
    (b) => monitor.insertAlerts(b),
  );
  await inBatches(
    stories.flatMap((s) => s.deployments),
    (b) => lifecycle.insertDeployments(b),
  );
  await inBatches(
    stories.flatMap((s) => s.incidents),
    (b) => lifecycle.writeIncidents(b, []),
  );
  await inBatches(
    stories.flatMap((s) => s.decisions),
    (b) => lifecycle.insertDecisions(b),
  );
  return stories.map((s) => s.seeded);
}

export async function seedModel(client: ClickHouseClient, o: SeedOptions): Promise<SeededModel> {
  const [seeded] = await seedModels(client, [o]);
  return seeded;
}

/** Label delays of `seedLabelledPredictions`, in turn: 30 s, 5 min, 2 h, 2 d (one per bucket of DELAY_BOUNDS: < 1 min, < 10 min, < 6 h, < 7 d). */
export const SEED_LABEL_DELAYS_MS = [30_000, 5 * 60_000, 2 * 3_600_000, 2 * 86_400_000] as const;

/**
 * `count` predictions of `modelId` v2, one a minute ending at `endMs`, each with its label
 * `SEED_LABEL_DELAYS_MS[i % 4]` later, written as the ingestor writes them (its RowBinary
 * rows through its repository).
 */
export async function seedLabelledPredictions(client: ClickHouseClient, modelId: string, endMs: number, count: number): Promise<void> {
  const ingest = new IngestRepository(client);
  const at = (offset: number) => ({ topic: 'vigil.predictions', partition: 0, offset: String(offset), timestampMs: endMs });
  const row = (encoded: EncodedRow, offset: number): Row => ({ ...encoded, source: { at: at(offset), key: null, value: null, headers: undefined } });
  const predictions: Row[] = [];
  const labels: Row[] = [];
  for (let i = 0; i < count; i++) {
    const t = endMs - (count - i) * 60_000;
    const event = predictionEvent(i, { eventId: `${modelId}-p${i}`, modelId, modelVersion: 'v2', eventTime: new Date(t) });
    predictions.push(row(predictionRow(event, 1, at(i)), i));
    const label = labelEvent(i, {
      eventId: `${modelId}-l${i}`,
      predictionEventId: event.eventId,
      modelId,
      eventTime: new Date(t + SEED_LABEL_DELAYS_MS[i % SEED_LABEL_DELAYS_MS.length]),
    });
    labels.push(row(labelRow(label, 2, at(i)), i));
  }
  await ingest.insertRows('predictions', predictions, endMs);
  await ingest.insertRows('labels', labels, endMs);
}
