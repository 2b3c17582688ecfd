-- Analyst tables written by the ingestor (docs/ingest.md). ReplacingMergeTree keyed on
-- the event id: a batch replayed after a crash adds rows with the same key, which merges
-- and `FINAL` collapse, so the documented queries count every event once.
-- Partitioned by day of the event; ordered for per-model time-range queries.
CREATE TABLE IF NOT EXISTS predictions (
    model_id String,
    model_version String,
    event_time DateTime('UTC'),
    event_id String,
    event_time_ms UInt64,
    entity_id Nullable(String),
    task Enum8('CLASSIFICATION' = 1, 'REGRESSION' = 2),
    numeric_feature_names Array(String),
    numeric_feature_values Array(Nullable(Float64)),
    categorical_feature_names Array(String),
    categorical_feature_values Array(Nullable(String)),
    predicted_class Nullable(String),
    score_names Array(String),
    score_values Array(Float64),
    predicted_value Nullable(Float64),
    latency_ms Float64,
    tag_names Array(String),
    tag_values Array(String),
    schema_id UInt32,
    kafka_partition UInt32,
    kafka_offset UInt64,
    ingested_at DateTime('UTC')
) ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMMDD(event_time)
ORDER BY (model_id, event_time, event_id)
;
CREATE TABLE IF NOT EXISTS labels (
    model_id String,
    event_time DateTime('UTC'),
    event_id String,
    event_time_ms UInt64,
    prediction_event_id String,
    true_class Nullable(String),
    true_value Nullable(Float64),
    schema_id UInt32,
    kafka_partition UInt32,
    kafka_offset UInt64,
    ingested_at DateTime('UTC')
) ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMMDD(event_time)
ORDER BY (model_id, event_time, event_id)
;
-- Records the ingestor could not take, with the bytes as they arrived. Keyed by their
-- Kafka position and partitioned by the Kafka record time, so a replay also collapses.
CREATE TABLE IF NOT EXISTS dead_letters (
    topic String,
    kafka_partition UInt32,
    kafka_offset UInt64,
    message_time DateTime('UTC'),
    reason String,
    error String,
    key_base64 String,
    payload_base64 String,
    at DateTime('UTC')
) ENGINE = ReplacingMergeTree(at)
PARTITION BY toYYYYMMDD(message_time)
ORDER BY (topic, kafka_partition, kafka_offset)
