-- The latest version-level snapshot of every model version, kept by ClickHouse itself as
-- the monitor inserts into metric_snapshots: the dashboard's fleet page (apps/dashboard)
-- reads one row per model version here instead of aggregating the whole snapshot history
-- (docs/dashboard.md "Performance"). Until a background merge, a version may have several
-- rows; readers take argMax(…, window_end) or FINAL.
CREATE TABLE IF NOT EXISTS latest_snapshots (
  model_id String,
  model_version String,
  window_end DateTime('UTC'),
  prediction_count UInt64,
  labelled_count UInt64,
  metric_names Array(String),
  metric_values Array(Float64)
) ENGINE = ReplacingMergeTree(window_end)
ORDER BY (model_id, model_version)
;
CREATE MATERIALIZED VIEW IF NOT EXISTS latest_snapshots_feed TO latest_snapshots AS
SELECT model_id, model_version, window_end, prediction_count, labelled_count, metric_names, metric_values
FROM metric_snapshots WHERE segment_key = ''
;
-- Snapshots written before this migration: one row per model version. Run by whichever
-- service migrates first; a second run only adds equal rows, which the engine folds.
INSERT INTO latest_snapshots
SELECT model_id, model_version, max(window_end), argMax(prediction_count, window_end), argMax(labelled_count, window_end),
       argMax(metric_names, window_end), argMax(metric_values, window_end)
FROM metric_snapshots WHERE segment_key = '' GROUP BY model_id, model_version
;
-- The headline metric of every version-level snapshot (accuracy, else MAE) as one narrow
-- column, for the fleet's sparklines: reading a few models' history here reads a Float64
-- per row instead of the full metric arrays of every model sharing their granules.
CREATE TABLE IF NOT EXISTS headline_snapshots (
  model_id String,
  model_version String,
  window_end DateTime('UTC'),
  metric String,
  value Float64
) ENGINE = MergeTree
PARTITION BY toYYYYMM(window_end)
ORDER BY (model_id, model_version, window_end)
;
CREATE MATERIALIZED VIEW IF NOT EXISTS headline_snapshots_feed TO headline_snapshots AS
SELECT model_id, model_version, window_end,
       if(has(metric_names, 'accuracy'), 'accuracy', 'mae') AS metric,
       metric_values[indexOf(metric_names, metric)] AS value
FROM metric_snapshots WHERE segment_key = '' AND (has(metric_names, 'accuracy') OR has(metric_names, 'mae'))
;
INSERT INTO headline_snapshots
SELECT model_id, model_version, window_end,
       if(has(metric_names, 'accuracy'), 'accuracy', 'mae') AS metric,
       metric_values[indexOf(metric_names, metric)] AS value
FROM metric_snapshots WHERE segment_key = '' AND (has(metric_names, 'accuracy') OR has(metric_names, 'mae'))
