-- Live monitor (apps/monitor). Written for ClickHouse 18.16 and 26.x alike.
-- One row per published snapshot of a model version (segment_key = '' for the whole
-- version). Metrics are two parallel arrays (18.16 has no Map):
--   SELECT window_end, metric_values[indexOf(metric_names, 'accuracy')] AS accuracy
--   FROM metric_snapshots WHERE model_id = 'fraud' AND segment_key = '' ORDER BY window_end
CREATE TABLE IF NOT EXISTS metric_snapshots (
  event_id String,
  model_id String,
  model_version String,
  segment_key String,
  segment_value String,
  window_start DateTime('UTC'),
  window_end DateTime('UTC'),
  prediction_count UInt64,
  labelled_count UInt64,
  metric_names Array(String),
  metric_values Array(Float64),
  published_at DateTime('UTC')
) ENGINE = MergeTree
PARTITION BY toYYYYMM(window_end)
ORDER BY (model_id, model_version, segment_key, segment_value, window_end)
;
-- One row per alert sent (an episode's first alert and its repeats share `since`).
-- Evidence is kept both as parallel arrays (chartable) and as the JSON of the Avro record.
CREATE TABLE IF NOT EXISTS alerts (
  alert_id String,
  model_id String,
  model_version String,
  kind String,
  severity String,
  rule String,
  since DateTime('UTC'),
  observed_at DateTime('UTC'),
  message String,
  evidence_metrics Array(String),
  evidence_features Array(String),
  evidence_values Array(Float64),
  evidence_thresholds Array(Nullable(Float64)),
  evidence_sample_sizes Array(UInt64),
  evidence_json String
) ENGINE = MergeTree
PARTITION BY toYYYYMM(observed_at)
ORDER BY (model_id, model_version, observed_at)
;
-- Serialised ModelMonitor state per model with the Kafka positions it covers. The version
-- is the sum of both offsets, so a stale writer (an instance that lost the partition)
-- can never replace a newer checkpoint. Read with FINAL.
CREATE TABLE IF NOT EXISTS monitor_checkpoints (
  model_id String,
  predictions_partition UInt32,
  predictions_offset Int64,
  labels_partition UInt32,
  labels_offset Int64,
  state String,
  checkpointed_at DateTime('UTC'),
  version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY model_id
;
-- Per-model configuration overrides (JSON of a partial ModelConfig), latest wins.
CREATE TABLE IF NOT EXISTS monitor_model_configs (
  model_id String,
  config String,
  updated_at_ms UInt64
) ENGINE = ReplacingMergeTree(updated_at_ms)
ORDER BY model_id
;
-- Registered drift references (JSON of a DatasetSummary), latest wins.
CREATE TABLE IF NOT EXISTS monitor_references (
  model_id String,
  summary String,
  rows UInt64,
  updated_at_ms UInt64
) ENGINE = ReplacingMergeTree(updated_at_ms)
ORDER BY model_id
