-- Serving latency per model version and hour: exact quantiles (a real observed value).
SELECT
    model_id,
    model_version,
    toStartOfHour(event_time) AS hour,
    count() AS predictions,
    quantileExact(0.5)(latency_ms) AS p50_ms,
    quantileExact(0.9)(latency_ms) AS p90_ms,
    quantileExact(0.99)(latency_ms) AS p99_ms,
    max(latency_ms) AS max_ms
FROM predictions FINAL
GROUP BY model_id, model_version, hour
ORDER BY model_id, model_version, hour
