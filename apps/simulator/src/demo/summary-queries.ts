/** The analyst's first questions about the demo's model; they run on ClickHouse 18.16 and 26.x (test/documented-sql.e2e-spec.ts). */
export const summaryQueries = (modelId: string): { title: string; sql: string }[] => [
  {
    title: 'accuracy of each version over time (monitor snapshots, 10 s buckets)',
    sql:
      "SELECT toDateTime(intDiv(toUInt32(window_end), 10) * 10) AS t, model_version, round(argMax(metric_values[indexOf(metric_names, 'accuracy')], window_end), 3) AS accuracy, max(labelled_count) AS labelled " +
      `FROM metric_snapshots WHERE model_id = '${modelId}' AND segment_key = '' AND has(metric_names, 'accuracy') GROUP BY t, model_version ORDER BY t, model_version`,
  },
  {
    title: "the orchestrator's decisions (decision_audit)",
    sql:
      'SELECT model_version, action, outcome, count() AS decisions, min(decided_at) AS first ' +
      `FROM decision_audit WHERE model_id = '${modelId}' AND outcome != 'not_a_trigger' GROUP BY model_version, action, outcome ORDER BY min(decided_at_ms)`,
  },
  {
    title: 'dead letters by reason',
    sql: 'SELECT reason, count() AS records, substring(any(error), 1, 70) AS example FROM dead_letters FINAL GROUP BY reason ORDER BY reason',
  },
  {
    title: 'labelled predictions and their accuracy per version (ingested predictions joined to labels)',
    sql:
      'SELECT model_version, count() AS labelled, round(avg(predicted_class = true_class), 3) AS accuracy ' +
      `FROM (SELECT event_id AS prediction_event_id, model_version, predicted_class FROM predictions FINAL WHERE model_id = '${modelId}') AS p ` +
      `ANY INNER JOIN (SELECT prediction_event_id, true_class FROM labels FINAL WHERE model_id = '${modelId}') AS l USING prediction_event_id ` +
      'GROUP BY model_version ORDER BY model_version',
  },
];
