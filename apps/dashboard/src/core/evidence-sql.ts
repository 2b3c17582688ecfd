import { quoteString } from '@vigil/storage';

/**
 * The SQL an analyst runs to see where a number of an incident's evidence comes from:
 * the snapshot the monitor published with it, and for the headline metrics a recomputation
 * from the raw predictions and labels of the evidence window (docs/dashboard.md "Incident").
 * Text only: shown on the incident page, never executed by the dashboard.
 */

export interface EvidenceItem {
  metric: string;
  value: number;
  threshold: number | null;
  baseline: number | null;
  feature: string | null;
  windowStart: string;
  windowEnd: string;
  sampleSize: number;
}

/** `2026-01-01T00:00:05.000Z` → `'2026-01-01 00:00:05'` (DateTime('UTC') text, whole seconds). */
function dateTime(iso: string): string {
  return quoteString(new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' '));
}

/** Name of the metric in `metric_snapshots` that carries an evidence item's value. */
export function snapshotMetricName(e: Pick<EvidenceItem, 'metric' | 'feature'>): string {
  if (e.feature !== null && e.metric.startsWith('drift.') && e.metric !== 'drift.share') {
    return e.metric.endsWith('.p_value') ? `drift.${e.feature}.p_value` : `drift.${e.feature}`;
  }
  return e.metric;
}

export function evidenceSql(modelId: string, version: string, e: EvidenceItem): string[] {
  const model = quoteString(modelId);
  const v = quoteString(version);
  const name = quoteString(snapshotMetricName(e));
  const statements = [
    `SELECT window_start, window_end, labelled_count, metric_values[indexOf(metric_names, ${name})] AS value
FROM metric_snapshots
WHERE model_id = ${model} AND model_version = ${v} AND segment_key = '' AND has(metric_names, ${name})
  AND window_end BETWEEN ${dateTime(e.windowStart)} AND ${dateTime(e.windowEnd)}
ORDER BY window_end`,
  ];
  const raw = `FROM
(
    SELECT event_id AS prediction_event_id, predicted_class, predicted_value
    FROM predictions FINAL
    WHERE model_id = ${model} AND model_version = ${v} AND event_time BETWEEN ${dateTime(e.windowStart)} AND ${dateTime(e.windowEnd)}
) AS p
ALL INNER JOIN
(
    SELECT prediction_event_id, argMin(true_class, event_time_ms) AS true_class, argMin(true_value, event_time_ms) AS true_value
    FROM labels FINAL WHERE model_id = ${model} GROUP BY prediction_event_id
) AS l USING prediction_event_id`;
  if (e.metric === 'accuracy') statements.push(`SELECT count() AS labelled, avg(predicted_class = true_class) AS accuracy\n${raw}`);
  if (e.metric === 'mae') statements.push(`SELECT count() AS labelled, avg(abs(predicted_value - true_value)) AS mae\n${raw}`);
  if (e.metric.startsWith('latency_p')) {
    const q = Number(e.metric.slice('latency_p'.length)) / 100;
    statements.push(`SELECT count() AS predictions, quantileExact(${q})(latency_ms) AS ${e.metric}
FROM predictions FINAL
WHERE model_id = ${model} AND model_version = ${v} AND event_time BETWEEN ${dateTime(e.windowStart)} AND ${dateTime(e.windowEnd)}`);
  }
  return statements;
}

/** The rows behind the incident page itself: the incident and its decisions. */
export function incidentSql(modelId: string, incidentId: string, openingEventId: string): { incident: string; decisions: string } {
  return {
    incident: `SELECT * FROM incidents FINAL WHERE incident_id = ${quoteString(incidentId)}`,
    decisions: `SELECT * FROM decision_audit
WHERE model_id = ${quoteString(modelId)} AND (incident_id = ${quoteString(incidentId)} OR source_event_id = ${quoteString(openingEventId)})
ORDER BY decided_at_ms`,
  };
}
