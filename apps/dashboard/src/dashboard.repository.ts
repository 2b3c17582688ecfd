import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, selectRows, quoteString, sql } from '@vigil/storage';
import { AlertEpisode, BucketRow, clickhouseTimeMs, IncidentCounts, LatestDeployment, VersionLatest } from './core';

/**
 * Every ClickHouse statement of the dashboard: reads only, over the tables the monitor and
 * the orchestrator write (libs/storage/migrations 020 and 040). The fleet's statements
 * aggregate whole tables by model (a constant number of queries for any number of models).
 */

export interface AlertRow {
  alert_id: string;
  model_version: string;
  kind: string;
  severity: string;
  rule: string;
  since: string;
  observed_at: string;
  message: string;
  evidence_json: string;
}

export interface DeploymentRow {
  version: string;
  deployed_at_ms: string;
  reason: string;
  incident_id: string | null;
  artifact_uri: string | null;
  changed_by: string;
}

export interface IncidentRow {
  incident_id: string;
  model_id: string;
  model_version: string;
  action: 'retrain' | 'rollback';
  status: 'open' | 'closed';
  request_status: 'pending' | 'produced';
  opening_event_id: string;
  opened_at_ms: string;
  closed_at_ms: string;
  resolution: string;
  policy: string;
  reason: string;
  request_topic: string;
  request_json: string;
}

export interface DecisionRow {
  decided_at_ms: string;
  model_version: string;
  source_event_type: string;
  source_event_id: string;
  action: string;
  outcome: string;
  reasons: string[];
  incident_id: string | null;
  policy: string;
  changed_by: string;
}

export interface SegmentRow {
  segment_key: string;
  segment_value: string;
  last_window_end: string;
  predictions: string;
  labelled: string;
  metric_names: string[];
  metric_values: number[];
}

export interface LabelDelay {
  labels: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  /** Labels per bucket, the bounds given to the query in order. */
  counts: number[];
}

export interface LiveCursor {
  alerts: number;
  lastSnapshotPublishedAt: string;
  incidentVersion: string;
}

const seconds = (ms: number): number => Math.floor(ms / 1000);

@Injectable()
export class DashboardRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  private select<T>(query: string, what: string): Promise<T[]> {
    return selectRows<T>(this.client, query, what);
  }

  async ping(): Promise<boolean> {
    return (await this.client.ping()).success;
  }

  // ---- fleet -------------------------------------------------------------

  /**
   * The latest version-level snapshot of every model version (table `latest_snapshots`, one
   * row per version once merged), with only its headline metric: the whole metric arrays of
   * 1 000 models are about a megabyte of JSON, the headline alone a fifth of it.
   */
  async latestVersions(): Promise<VersionLatest[]> {
    const rows = await this.select<{ model_id: string; model_version: string; last: string; predictions: string; labelled: string; metric: string; value: number }>(
      `SELECT model_id, model_version, max(window_end) AS last,
              argMax(prediction_count, window_end) AS predictions, argMax(labelled_count, window_end) AS labelled,
              argMax(multiIf(has(metric_names, 'accuracy'), 'accuracy', has(metric_names, 'mae'), 'mae', ''), window_end) AS metric,
              argMax(if(has(metric_names, 'accuracy'), metric_values[indexOf(metric_names, 'accuracy')], metric_values[indexOf(metric_names, 'mae')]), window_end) AS value
       FROM latest_snapshots GROUP BY model_id, model_version`,
      'fleet snapshots',
    );
    return rows.map((r) => ({
      modelId: r.model_id,
      version: r.model_version,
      lastWindowEndMs: clickhouseTimeMs(r.last),
      predictions: Number(r.predictions),
      labelled: Number(r.labelled),
      metric: r.metric === 'accuracy' || r.metric === 'mae' ? r.metric : null,
      metricValue: r.metric === '' ? null : Number(r.value),
    }));
  }

  /** The champion of every model: its latest deployment. */
  async latestDeployments(): Promise<LatestDeployment[]> {
    const rows = await this.select<{ model_id: string; version: string; at: string }>(
      `SELECT model_id, argMax(version, deployed_at_ms) AS version, max(deployed_at_ms) AS at FROM model_deployments GROUP BY model_id`,
      'fleet deployments',
    );
    return rows.map((r) => ({ modelId: r.model_id, version: r.version, deployedAtMs: Number(r.at) }));
  }

  /** Alert episodes (one row per episode, not per alert) with an alert since `sinceMs`. */
  async episodes(sinceMs: number): Promise<AlertEpisode[]> {
    const rows = await this.select<{ model_id: string; model_version: string; rule: string; since: string; severity: string; last: string; alerts: string }>(
      sql`SELECT model_id, model_version, rule, since, argMax(severity, observed_at) AS severity, max(observed_at) AS last, count() AS alerts
          FROM alerts WHERE observed_at >= toDateTime(${seconds(sinceMs)}, 'UTC') GROUP BY model_id, model_version, rule, since`,
      'fleet alerts',
    );
    return rows.map((r) => ({
      modelId: r.model_id,
      version: r.model_version,
      rule: r.rule,
      severity: r.severity,
      sinceMs: clickhouseTimeMs(r.since),
      lastObservedMs: clickhouseTimeMs(r.last),
      alerts: Number(r.alerts),
    }));
  }

  async incidentCounts(): Promise<IncidentCounts[]> {
    const rows = await this.select<{ model_id: string; open: string; total: string; latest_open: string }>(
      `SELECT model_id, countIf(status = 'open') AS open, count() AS total,
              argMaxIf(incident_id, opened_at_ms, status = 'open') AS latest_open
       FROM incidents FINAL GROUP BY model_id`,
      'fleet incidents',
    );
    return rows.map((r) => ({ modelId: r.model_id, open: Number(r.open), total: Number(r.total), latestOpenIncidentId: r.latest_open === '' ? null : r.latest_open }));
  }

  /**
   * Headline metric (accuracy, else MAE; table `headline_snapshots`, migration 070) of the
   * given models per bucket since `sinceMs`: the latest snapshot of any version in each
   * bucket, so a deployment's effect shows on the line.
   */
  async sparklines(modelIds: string[], sinceMs: number, bucketSeconds: number): Promise<{ model_id: string; t: string; value: number }[]> {
    if (modelIds.length === 0) return [];
    // `IN (…)` on the first key column lets ClickHouse read only these models' granules.
    const models = `(${[...new Set(modelIds)].map(quoteString).join(', ')})`;
    return this.select(
      sql`SELECT model_id, intDiv(toUInt32(window_end), ${bucketSeconds}) * ${bucketSeconds} AS t, argMax(value, window_end) AS value
          FROM headline_snapshots
          WHERE model_id IN ` +
        models +
        sql` AND window_end >= toDateTime(${seconds(sinceMs)}, 'UTC')
          GROUP BY model_id, t ORDER BY model_id, t`,
      'fleet sparklines',
    );
  }

  // ---- model -------------------------------------------------------------

  /** The first and latest version-level snapshot times of a model, epoch ms (null when it has none). */
  async snapshotSpan(modelId: string): Promise<{ firstMs: number; lastMs: number } | null> {
    const [row] = await this.select<{ first: string; last: string; n: string }>(
      sql`SELECT min(window_end) AS first, max(window_end) AS last, count() AS n FROM metric_snapshots WHERE model_id = ${modelId} AND segment_key = ''`,
      'model snapshot span',
    );
    return row && Number(row.n) > 0 ? { firstMs: clickhouseTimeMs(row.first), lastMs: clickhouseTimeMs(row.last) } : null;
  }

  /** The last version-level snapshot of every version per bucket of `bucketSeconds` in [fromMs, toMs]. */
  async snapshotBuckets(modelId: string, fromMs: number, toMs: number, bucketSeconds: number): Promise<BucketRow[]> {
    const rows = await this.select<{ model_version: string; t: string; names: string[]; values: number[]; predictions: string; labelled: string }>(
      sql`SELECT model_version, intDiv(toUInt32(window_end), ${bucketSeconds}) * ${bucketSeconds} AS t,
                 argMax(metric_names, window_end) AS names, argMax(metric_values, window_end) AS values,
                 argMax(prediction_count, window_end) AS predictions, argMax(labelled_count, window_end) AS labelled
          FROM metric_snapshots
          WHERE model_id = ${modelId} AND segment_key = ''
            AND window_end BETWEEN toDateTime(${seconds(fromMs)}, 'UTC') AND toDateTime(${seconds(toMs)}, 'UTC')
          GROUP BY model_version, t ORDER BY t`,
      'model snapshots',
    );
    return rows.map((r) => ({
      version: r.model_version,
      t: Number(r.t),
      metricNames: r.names,
      metricValues: r.values.map(Number),
      predictions: Number(r.predictions),
      labelled: Number(r.labelled),
    }));
  }

  /** The latest snapshot of each segment of a version. */
  async segments(modelId: string, version: string): Promise<SegmentRow[]> {
    return this.select(
      sql`SELECT segment_key, segment_value, max(window_end) AS last_window_end,
                 argMax(prediction_count, window_end) AS predictions, argMax(labelled_count, window_end) AS labelled,
                 argMax(metric_names, window_end) AS metric_names, argMax(metric_values, window_end) AS metric_values
          FROM metric_snapshots WHERE model_id = ${modelId} AND model_version = ${version} AND segment_key != ''
          GROUP BY segment_key, segment_value ORDER BY segment_key, segment_value`,
      'model segments',
    );
  }

  async alerts(modelId: string, fromMs: number, toMs: number, limit: number): Promise<AlertRow[]> {
    return this.select(
      sql`SELECT alert_id, model_version, kind, severity, rule, since, observed_at, message, evidence_json
          FROM alerts WHERE model_id = ${modelId}
            AND observed_at BETWEEN toDateTime(${seconds(fromMs)}, 'UTC') AND toDateTime(${seconds(toMs)}, 'UTC')
          ORDER BY observed_at DESC LIMIT ${limit}`,
      'model alerts',
    );
  }

  // Each FINAL read in a subquery with the ORDER BY outside it: 18.16 refuses ORDER BY or LIMIT
  // on a subset of columns read FINAL through a Distributed table of two shards (docs/scaling.md "Two shards").
  async deployments(modelId: string): Promise<DeploymentRow[]> {
    return this.select(
      sql`SELECT version, deployed_at_ms, reason, incident_id, artifact_uri, changed_by
          FROM (SELECT * FROM model_deployments FINAL WHERE model_id = ${modelId}) ORDER BY deployed_at_ms`,
      'model deployments',
    );
  }

  async incidents(modelId: string): Promise<IncidentRow[]> {
    return this.select(
      sql`SELECT incident_id, model_id, model_version, action, status, request_status, opening_event_id, opened_at_ms, closed_at_ms,
                 resolution, policy, reason, request_topic, request_json
          FROM (SELECT * FROM incidents FINAL WHERE model_id = ${modelId}) ORDER BY opened_at_ms`,
      'model incidents',
    );
  }

  async decisions(modelId: string, limit: number): Promise<DecisionRow[]> {
    return this.select(
      sql`SELECT decided_at_ms, model_version, source_event_type, source_event_id, action, outcome, reasons, incident_id, policy, changed_by
          FROM decision_audit WHERE model_id = ${modelId} ORDER BY decided_at_ms DESC LIMIT ${limit}`,
      'model decisions',
    );
  }

  /** Label delay (first label's event time minus its prediction's) in [fromMs, toMs] of prediction time: quantiles and a histogram over `boundsSeconds`. */
  async labelDelay(modelId: string, fromMs: number, toMs: number, boundsSeconds: number[]): Promise<LabelDelay> {
    const buckets = boundsSeconds.map((b, i) => (i === 0 ? sql`countIf(delay_s < ${b})` : sql`countIf(delay_s >= ${boundsSeconds[i - 1]} AND delay_s < ${b})`));
    buckets.push(boundsSeconds.length === 0 ? 'count()' : sql`countIf(delay_s >= ${boundsSeconds[boundsSeconds.length - 1]})`);
    const [row] = await this.select<Record<string, string | number | null>>(
      sql`SELECT count() AS labels, quantileExact(0.5)(delay_s) AS p50, quantileExact(0.9)(delay_s) AS p90, quantileExact(0.99)(delay_s) AS p99, ` +
        buckets.map((b, i) => `${b} AS b${i}`).join(', ') +
        sql`
          FROM
          (
              SELECT (toInt64(label_time_ms) - toInt64(prediction_time_ms)) / 1000 AS delay_s
              FROM
              (
                  SELECT prediction_event_id, min(event_time_ms) AS label_time_ms
                  FROM labels FINAL WHERE model_id = ${modelId} GROUP BY prediction_event_id
              ) AS l
              ALL INNER JOIN
              (
                  SELECT event_id AS prediction_event_id, event_time_ms AS prediction_time_ms
                  FROM predictions FINAL
                  WHERE model_id = ${modelId} AND event_time BETWEEN toDateTime(${seconds(fromMs)}, 'UTC') AND toDateTime(${seconds(toMs)}, 'UTC')
              ) AS p USING prediction_event_id
          )`,
      'label delay',
    );
    const labels = Number(row?.labels ?? 0);
    const q = (v: string | number | null | undefined) => (labels === 0 || v === null || v === undefined ? null : Number(v));
    return { labels, p50: q(row?.p50), p90: q(row?.p90), p99: q(row?.p99), counts: buckets.map((_, i) => Number(row?.[`b${i}`] ?? 0)) };
  }

  // ---- incident ----------------------------------------------------------

  async incident(incidentId: string): Promise<IncidentRow | undefined> {
    const [row] = await this.select<IncidentRow>(
      sql`SELECT incident_id, model_id, model_version, action, status, request_status, opening_event_id, opened_at_ms, closed_at_ms,
                 resolution, policy, reason, request_topic, request_json
          FROM incidents FINAL WHERE incident_id = ${incidentId}`,
      'incident',
    );
    return row;
  }

  /** Decisions of an incident and the one its opening event caused. */
  async incidentDecisions(incident: IncidentRow): Promise<DecisionRow[]> {
    return this.select(
      sql`SELECT decided_at_ms, model_version, source_event_type, source_event_id, action, outcome, reasons, incident_id, policy, changed_by
          FROM decision_audit WHERE model_id = ${incident.model_id}
            AND (incident_id = ${incident.incident_id} OR source_event_id = ${incident.opening_event_id})
          ORDER BY decided_at_ms`,
      'incident decisions',
    );
  }

  async alertById(alertId: string): Promise<AlertRow | undefined> {
    const [row] = await this.select<AlertRow>(
      sql`SELECT alert_id, model_version, kind, severity, rule, since, observed_at, message, evidence_json FROM alerts WHERE alert_id = ${alertId} LIMIT 1`,
      'alert',
    );
    return row;
  }

  // ---- live --------------------------------------------------------------

  /** What changes when the monitor or the orchestrator writes: the alert count, the newest snapshot's publication, the newest incident row. */
  async liveCursor(): Promise<LiveCursor> {
    const [[a], [s], [i]] = await Promise.all([
      this.select<{ n: string }>('SELECT count() AS n FROM alerts', 'live alerts'),
      this.select<{ t: string }>('SELECT max(published_at) AS t FROM metric_snapshots', 'live snapshots'),
      this.select<{ v: string }>('SELECT max(row_version) AS v FROM incidents', 'live incidents'),
    ]);
    return { alerts: Number(a?.n ?? 0), lastSnapshotPublishedAt: s?.t ?? '', incidentVersion: i?.v ?? '0' };
  }

  /** The newest alerts (by observed time), for the live feed. */
  async newestAlerts(limit: number): Promise<(AlertRow & { model_id: string })[]> {
    return this.select(
      sql`SELECT alert_id, model_id, model_version, kind, severity, rule, since, observed_at, message, evidence_json FROM alerts ORDER BY observed_at DESC LIMIT ${limit}`,
      'live newest alerts',
    );
  }
}
