-- Accuracy per day and model version: labelled classification predictions whose
-- predicted class equals the (latest) true class of their label.
SELECT
    model_id,
    model_version,
    toDate(event_time) AS day,
    count() AS labelled,
    countIf(predicted_class = label_class) AS correct,
    round(correct / labelled, 4) AS accuracy
FROM
(
    SELECT event_id AS prediction_event_id, model_id, model_version, event_time, predicted_class
    FROM predictions FINAL
    WHERE task = 'CLASSIFICATION'
) AS p
ALL INNER JOIN
(
    SELECT prediction_event_id, argMax(true_class, event_time_ms) AS label_class
    FROM labels FINAL
    WHERE true_class IS NOT NULL
    GROUP BY prediction_event_id
) AS l USING prediction_event_id
GROUP BY model_id, model_version, day
ORDER BY model_id, model_version, day
