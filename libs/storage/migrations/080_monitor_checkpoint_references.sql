-- Drift references of monitor checkpoints, stored once per content. A checkpoint's state
-- names its reference by `referenceId` (sha256 of the summary's JSON) instead of carrying
-- the summary, about 400 kB of a 20-feature model, in every write. The monitor writes a
-- reference before the first checkpoint that names it. A model keeps one row per reference
-- it has had (a new one only on a registration or the end of a production warm-up).
CREATE TABLE IF NOT EXISTS monitor_checkpoint_references (
  model_id String,
  reference_id String,
  summary String,
  stored_at DateTime('UTC')
) ENGINE = ReplacingMergeTree
ORDER BY (model_id, reference_id)
;
