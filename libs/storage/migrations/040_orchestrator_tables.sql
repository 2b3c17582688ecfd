-- Lifecycle orchestrator (docs/orchestrator.md "Tables"). Times are stored twice:
-- DateTime for people and SQL, epoch milliseconds for exact ordering (18.16 has no DateTime64).

-- Append-only deployment history: the champion at t is the latest row with deployed_at_ms <= t.
-- ReplacingMergeTree only folds an identical redelivered event (same key), never history.
CREATE TABLE IF NOT EXISTS model_deployments (
  model_id String,
  version String,
  deployed_at DateTime('UTC'),
  deployed_at_ms UInt64,
  reason String,
  incident_id Nullable(String),
  artifact_uri Nullable(String),
  event_id String,
  recorded_at DateTime('UTC')
) ENGINE = ReplacingMergeTree ORDER BY (model_id, deployed_at_ms, event_id)
;
-- One row per incident, replaced (higher row_version) as it moves open → produced → closed.
-- request_json keeps the exact request so it can be produced again after a crash.
CREATE TABLE IF NOT EXISTS incidents (
  incident_id String,
  model_id String,
  model_version String,
  action Enum8('retrain' = 1, 'rollback' = 2),
  status Enum8('open' = 1, 'closed' = 2),
  request_status Enum8('pending' = 1, 'produced' = 2),
  opening_event_id String,
  opened_at DateTime('UTC'),
  opened_at_ms UInt64,
  closed_at_ms UInt64,
  resolution String,
  policy String,
  reason String,
  request_event_id String,
  request_topic String,
  request_json String,
  source_topic String,
  source_partition Int32,
  source_offset Int64,
  row_version UInt64
) ENGINE = ReplacingMergeTree(row_version) ORDER BY (model_id, incident_id)
;
-- Every decision with its reasons, including the ones that did nothing.
CREATE TABLE IF NOT EXISTS decision_audit (
  decided_at DateTime('UTC'),
  decided_at_ms UInt64,
  model_id String,
  model_version String,
  source_event_type String,
  source_event_id String,
  action String,
  outcome String,
  reasons Array(String),
  incident_id Nullable(String),
  policy String
) ENGINE = MergeTree PARTITION BY toYYYYMM(decided_at) ORDER BY (model_id, decided_at_ms)
;
-- Per-model policy overrides set through PUT /models/:modelId/policy.
CREATE TABLE IF NOT EXISTS model_policies (
  model_id String,
  policy_json String,
  updated_at DateTime('UTC'),
  row_version UInt64
) ENGINE = ReplacingMergeTree(row_version) ORDER BY model_id
;
-- The engine's memory of each model (streaks, snapshots, open incidents), reloaded on start.
CREATE TABLE IF NOT EXISTS lifecycle_state (
  model_id String,
  state_json String,
  updated_at DateTime('UTC'),
  row_version UInt64
) ENGINE = ReplacingMergeTree(row_version) ORDER BY model_id
