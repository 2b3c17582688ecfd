-- Refused records per source topic and reason, with the latest error message.
SELECT
    topic,
    reason,
    count() AS records,
    argMax(error, kafka_offset) AS latest_error
FROM dead_letters FINAL
GROUP BY topic, reason
ORDER BY topic, reason
