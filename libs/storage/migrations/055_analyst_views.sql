-- What analysts query: the ingest tables with replays collapsed. A crash between an
-- insert and its offset commit replays those records; the tables (ReplacingMergeTree
-- keyed on the event id) hold both copies until a background merge, so a plain
-- count() on them over-counts for minutes. These views read through FINAL, which
-- merges on read, so count() here equals the number of distinct events at any time,
-- on ClickHouse 18.16 and 24.x+ alike (docs/ingest.md, "Delivery").
-- `SELECT *` is expanded when the view is created: a migration adding a column to a
-- table recreates its view.
CREATE VIEW IF NOT EXISTS unique_predictions AS SELECT * FROM predictions FINAL
;
CREATE VIEW IF NOT EXISTS unique_labels AS SELECT * FROM labels FINAL
;
CREATE VIEW IF NOT EXISTS unique_dead_letters AS SELECT * FROM dead_letters FINAL
