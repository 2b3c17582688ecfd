-- Label coverage per model and day: share of predictions that have received a label.
SELECT
    model_id,
    toDate(event_time) AS day,
    count() AS predictions,
    sum(has_label) AS labelled,
    round(labelled / predictions, 4) AS coverage
FROM
(
    SELECT event_id AS prediction_event_id, model_id, event_time
    FROM predictions FINAL
) AS p
ALL LEFT JOIN
(
    SELECT prediction_event_id, toUInt8(1) AS has_label
    FROM labels FINAL
    GROUP BY prediction_event_id
) AS l USING prediction_event_id
GROUP BY model_id, day
ORDER BY model_id, day
