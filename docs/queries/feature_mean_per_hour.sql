-- Mean of each numeric feature per model and hour; missing values (null) are skipped.
SELECT
    model_id,
    toStartOfHour(event_time) AS hour,
    feature,
    count() AS observations,
    round(avg(value), 4) AS mean
FROM
(
    SELECT model_id, event_time, numeric_feature_names, numeric_feature_values
    FROM predictions FINAL
)
ARRAY JOIN numeric_feature_names AS feature, numeric_feature_values AS value
WHERE value IS NOT NULL
GROUP BY model_id, hour, feature
ORDER BY model_id, hour, feature
