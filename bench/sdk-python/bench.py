"""Overhead of the Python SDK per record_prediction (not a test).

Measures, in one run and on one topic, the µs per call of
  (a) a bare confluent_kafka Producer.produce of bytes encoded beforehand (the same bytes
      the SDK sends: each event is encoded once with the SDK's serializer, outside the timing),
  (b) VigilClient.record_prediction of the same events (validation, Avro check, encoding,
      delivery callback, produce),
with the same librdkafka settings (the SDK's defaults), and prints b, a and b / a.
Only the calls are timed; each round then flushes outside the timing. Rounds alternate
(a, b, a, b, ...) and the median round of each is reported.

  npm run bench:sdk-python                       # N = 50 000 events per round, 5 rounds
  BENCH_EVENTS=20000 BENCH_ROUNDS=3 npm run bench:sdk-python

Prerequisites: the local stack running (npm run infra:up) and the virtual environment
scripts/test-python.sh creates (.venv-sdk with the SDK installed).
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import statistics
import time
from datetime import datetime, timezone
from typing import Any

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from vigil import VigilClient, VigilSettings
from vigil.client import PRODUCER_DEFAULTS, SERIALIZER_CONF
from vigil.events import EventDefaults, build_prediction
from vigil.schemas import registered_text

N = int(os.environ.get("BENCH_EVENTS", "50000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))


def event_fields(i: int) -> dict[str, Any]:
    """A typical prediction: 10 numeric and 2 categorical features, 2 scores, 1 tag (~250 bytes encoded)."""
    return {
        "model_id": f"bench-model-{i % 12}",
        "model_version": "v1",
        "latency_ms": 3.5 + (i % 7),
        "event_id": f"bench-{i}",
        "numeric_features": {f"f{k}": float(i % 97) + k / 10 for k in range(10)},
        "categorical_features": {"country": ("FR", "DE", "US")[i % 3], "channel": ("web", "app")[i % 2]},
        "predicted_class": ("fraud", "legit")[i % 2],
        "scores": {"fraud": 0.25, "legit": 0.75},
        "tags": {"country": ("FR", "DE", "US")[i % 3]},
    }


def main() -> None:
    run_id = secrets.token_hex(4)
    settings = VigilSettings.from_env(topic_prefix=f"bench.pysdk.{run_id}.", client_id=f"bench-{run_id}")
    fields = [event_fields(i) for i in range(N)]
    queue = {"queue.buffering.max.messages": max(100_000, 2 * N)}
    vigil = VigilClient.connect(settings, flush_at_exit=False, kafka_config=queue)
    topic = vigil.topics["predictions"]
    admin = AdminClient(settings.librdkafka())
    for future in admin.create_topics([NewTopic(topic, 6, 1)]).values():
        future.result()

    # The bytes the SDK sends for these events, encoded once outside the timing.
    now = datetime.now(timezone.utc)
    pinned = EventDefaults(now=lambda: now)
    context = SerializationContext(topic, MessageField.VALUE)
    registry = SchemaRegistryClient(settings.registry())
    # Built as VigilClient.connect builds its own, so the bytes are identical.
    serializer = AvroSerializer(registry, registered_text("prediction-event"), conf=dict(SERIALIZER_CONF))
    encoded = [(f["model_id"].encode(), serializer(build_prediction(pinned, **f), context)) for f in fields]
    bare = Producer({**PRODUCER_DEFAULTS, **settings.librdkafka(), **queue})

    def bare_round() -> float:
        started = time.perf_counter()
        for key, value in encoded:
            bare.produce(topic, value=value, key=key)
        elapsed = time.perf_counter() - started
        assert bare.flush(60) == 0
        return elapsed / N * 1e6

    def sdk_round() -> float:
        started = time.perf_counter()
        for f in fields:
            vigil.record_prediction(**f)
        elapsed = time.perf_counter() - started
        vigil.flush(60)
        return elapsed / N * 1e6

    bare_us: list[float] = []
    sdk_us: list[float] = []
    try:
        for _ in range(ROUNDS):
            bare_us.append(bare_round())
            sdk_us.append(sdk_round())
        assert vigil.stats.failed == 0 and vigil.stats.delivered == N * ROUNDS, vigil.stats
        # Where the SDK's time goes, without Kafka: building and validating, then encoding.
        started = time.perf_counter()
        events = [build_prediction(pinned, **f) for f in fields]
        build_us = (time.perf_counter() - started) / N * 1e6
        started = time.perf_counter()
        for event in events:
            serializer(event, context)
        encode_us = (time.perf_counter() - started) / N * 1e6
    finally:
        vigil.close()
        for future in admin.delete_topics([topic]).values():
            future.result()
        for subject in registry.get_subjects():
            if subject.startswith(settings.topic_prefix):
                registry.delete_subject(subject)
                registry.delete_subject(subject, permanent=True)

    sdk, baseline = statistics.median(sdk_us), statistics.median(bare_us)
    print(
        json.dumps(
            {
                "bench": "sdk-python",
                "events_per_round": N,
                "rounds": ROUNDS,
                "bytes_per_record": round(sum(len(v) for _, v in encoded) / N, 1),
                "record_prediction_us": round(sdk, 2),
                "bare_produce_us": round(baseline, 2),
                "ratio": round(sdk / baseline, 2),
                "overhead_us": round(sdk - baseline, 2),
                "build_and_validate_us": round(build_us, 2),
                "avro_encode_us": round(encode_us, 2),
                "rounds_us": {"record_prediction": [round(x, 2) for x in sdk_us], "bare_produce": [round(x, 2) for x in bare_us]},
                "python": platform.python_version(),
                "load_average": os.getloadavg()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
