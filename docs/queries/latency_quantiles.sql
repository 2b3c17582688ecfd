-- Serving latency per model version and hour: exact quantiles (a real observed value),
-- rounded to the microsecond (a latency summed in floating point, e.g. 5 + 2.94, reads 7.9399999999999995).
SELECT
    model_id,
    model_version,
    toStartOfHour(event_time) AS hour,
    count() AS predictions,
    round(quantileExact(0.5)(latency_ms), 3) AS p50_ms,
    round(quantileExact(0.9)(latency_ms), 3) AS p90_ms,
    round(quantileExact(0.99)(latency_ms), 3) AS p99_ms,
    round(max(latency_ms), 3) AS max_ms
FROM predictions FINAL
GROUP BY model_id, model_version, hour
ORDER BY model_id, model_version, hour
