-- Refused records per source topic and reason, with the latest error message.
SELECT
    topic,
    reason,
    count() AS records,
    argMax(error, kafka_offset) AS latest_error
FROM unique_dead_letters
GROUP BY topic, reason
ORDER BY topic, reason
