-- How long labels take to arrive after their prediction, per model (seconds).
SELECT
    model_id,
    count() AS labels,
    quantileExact(0.5)(delay_s) AS p50_delay_s,
    quantileExact(0.9)(delay_s) AS p90_delay_s,
    max(delay_s) AS max_delay_s,
    countIf(delay_s < 3600) AS within_1h,
    countIf(delay_s < 86400) AS within_1d
FROM
(
    SELECT model_id, prediction_event_id, (toInt64(label_time_ms) - toInt64(prediction_time_ms)) / 1000 AS delay_s
    FROM
    (
        SELECT model_id, prediction_event_id, min(event_time_ms) AS label_time_ms
        FROM labels FINAL
        GROUP BY model_id, prediction_event_id
    ) AS l
    ALL INNER JOIN
    (
        SELECT event_id AS prediction_event_id, event_time_ms AS prediction_time_ms
        FROM predictions FINAL
    ) AS p USING prediction_event_id
)
GROUP BY model_id
ORDER BY model_id
