"""Python SDK → Kafka → the real ingestor → ClickHouse, field by field.

Doubles are chosen exactly representable in binary (83.25, 0.125...): ClickHouse 18.16
parses about 1 in 1,000 JSONEachRow doubles 1 ulp off (docs/ingest.md), which is not what
this test is about.
"""

from __future__ import annotations

from typing import Any

import uuid
from datetime import datetime, timedelta, timezone

import pandas as pd

from vigil import VigilClient
from vigil.topics import value_subject
from vigil.schemas import registered_text
from vigil.topics import EVENT_STREAMS, SDK_STREAMS

from .conftest import ServiceProcess, Stack, eventually


def to_ms(value: datetime) -> int:
    return (value - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(milliseconds=1)


def rows(stack: Stack, table: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    quoted = ", ".join(f"'{i}'" for i in ids)
    found = eventually(
        lambda: stack.query(f"SELECT * FROM {table} FINAL WHERE event_id IN ({quoted})"),
        lambda r: len(r) == len(ids),
        60,
    )
    return {row["event_id"]: row for row in found}


def test_events_reach_clickhouse_field_by_field(stack: Stack, ingestor: ServiceProcess) -> None:
    at = datetime(2026, 11, 30, 10, 15, 30, 123000, tzinfo=timezone.utc)
    before = datetime.now(timezone.utc)
    with VigilClient.connect(stack.settings) as vigil:
        fraud_id = vigil.record_prediction(
            model_id="py-fraud", model_version="v1", latency_ms=7.5, event_id=f"p-{uuid.uuid4()}", event_time=at,
            entity_id="card-9", numeric_features={"amount": 83.25, "age": None},
            categorical_features={"country": "FR", "channel": None}, predicted_class="legit",
            scores={"fraud": 0.125, "legit": 0.875}, tags={"country": "FR"},
        )
        basket_id = vigil.record_prediction(model_id="py-basket", model_version="v2", latency_ms=2, predicted_value=31.5)
        fraud_label = vigil.record_label(prediction_event_id=fraud_id, model_id="py-fraud", true_class="legit", event_time=at)
        basket_label = vigil.record_label(prediction_event_id=basket_id, model_id="py-basket", true_value=30.25)
    after = datetime.now(timezone.utc)
    assert vigil.stats.delivered == 4 and vigil.stats.failed == 0

    predictions = rows(stack, "predictions", [fraud_id, basket_id])
    fraud = predictions[fraud_id]
    assert {k: v for k, v in fraud.items() if k not in ("schema_id", "kafka_partition", "kafka_offset", "ingested_at")} == {
        "model_id": "py-fraud", "model_version": "v1", "event_time": "2026-11-30 10:15:30", "event_id": fraud_id,
        "event_time_ms": to_ms(at), "entity_id": "card-9", "task": "CLASSIFICATION",
        "numeric_feature_names": ["amount", "age"], "numeric_feature_values": [83.25, None],
        "categorical_feature_names": ["country", "channel"], "categorical_feature_values": ["FR", None],
        "predicted_class": "legit", "score_names": ["fraud", "legit"], "score_values": [0.125, 0.875],
        "predicted_value": None, "latency_ms": 7.5, "tag_names": ["country"], "tag_values": ["FR"],
    }
    # The SDK's defaults: a UUID event id, now as the event time, REGRESSION from a lone value, empty maps.
    basket = predictions[basket_id]
    assert str(uuid.UUID(basket_id)) == basket_id
    assert to_ms(before) <= basket["event_time_ms"] <= to_ms(after)
    assert (basket["task"], basket["predicted_value"], basket["predicted_class"], basket["entity_id"]) == ("REGRESSION", 31.5, None, None)
    assert (basket["numeric_feature_names"], basket["score_names"], basket["tag_names"], basket["latency_ms"]) == ([], [], [], 2.0)
    # Framed with the id the registry holds for the subject.
    registry = stack.registry()
    subject = value_subject(f"{stack.prefix}predictions")
    assert fraud["schema_id"] == registry.lookup_schema(subject, registry.get_latest_version(subject).schema).schema_id

    labels = rows(stack, "labels", [fraud_label, basket_label])
    assert {k: labels[fraud_label][k] for k in ("model_id", "prediction_event_id", "event_time_ms", "true_class", "true_value")} == {
        "model_id": "py-fraud", "prediction_event_id": fraud_id, "event_time_ms": to_ms(at), "true_class": "legit", "true_value": None,
    }
    assert (labels[basket_label]["true_class"], labels[basket_label]["true_value"]) == (None, 30.25)

    # Keyed by model id (one model's events on one partition), on the topic map's topics.
    keyed = stack.consume(
        f"{stack.prefix}predictions",
        lambda seen: {v["eventId"] for _, v in seen} >= {fraud_id, basket_id},
    )
    assert {v["eventId"]: key for key, v in keyed if v["eventId"] in (fraud_id, basket_id)} == {fraud_id: b"py-fraud", basket_id: b"py-basket"}


def test_a_dataframe_of_batch_scores_reaches_clickhouse(stack: Stack, ingestor: ServiceProcess) -> None:
    scored = pd.DataFrame(
        {
            "request_id": [f"batch-{uuid.uuid4()}" for _ in range(3)],
            "prediction": ["churn", "stay", "stay"],
            "p_churn": [0.75, 0.25, 0.125],
            "tenure": [3.0, 24.0, float("nan")],
            "plan": ["basic", None, "pro"],
            "region": ["eu", "us", "eu"],
        }
    )
    with VigilClient.connect(stack.settings) as vigil:
        ids = vigil.record_predictions(
            scored, model_id="py-churn", model_version="2026-11", latency_ms=0,
            columns={"event_id": "request_id", "predicted_class": "prediction"},
            score_columns={"churn": "p_churn"}, tag_columns=["region"],
        )
        # The truth, known later, for the first two customers.
        truth = pd.DataFrame({"request_id": ids[:2], "outcome": ["stay", "stay"]})
        label_ids = vigil.record_labels(truth, model_id="py-churn", columns={"prediction_event_id": "request_id", "true_class": "outcome"})
    assert ids == list(scored["request_id"])
    labels = rows(stack, "labels", label_ids)
    assert sorted((labels[i]["prediction_event_id"], labels[i]["true_class"]) for i in label_ids) == sorted(zip(ids[:2], ["stay", "stay"]))
    stored = rows(stack, "predictions", ids)
    # Unmapped columns are features: tenure numeric (first value a number), plan categorical; NaN/None = missing.
    assert [
        (stored[i]["predicted_class"], stored[i]["score_values"], stored[i]["numeric_feature_names"], stored[i]["numeric_feature_values"],
         stored[i]["categorical_feature_names"], stored[i]["categorical_feature_values"], stored[i]["tag_values"])
        for i in ids
    ] == [
        ("churn", [0.75], ["tenure"], [3.0], ["plan"], ["basic"], ["eu"]),
        ("stay", [0.25], ["tenure"], [24.0], ["plan"], [None], ["us"]),
        ("stay", [0.125], ["tenure"], [None], ["plan"], ["pro"], ["eu"]),
    ]


def test_subjects_keep_one_version_whoever_registers_first(stack: Stack, ingestor: ServiceProcess) -> None:
    """The ingestor (TypeScript) registered the contracts; connecting from Python again and again adds nothing."""
    for _ in range(3):
        VigilClient.connect(stack.settings, flush_at_exit=False).close()
    registry = stack.registry()
    for stream in SDK_STREAMS:
        subject = value_subject(f"{stack.prefix}{EVENT_STREAMS[stream][0]}")
        assert registry.get_versions(subject) == [1], subject
        assert registry.get_version(subject, 1).schema.schema_str == registered_text(EVENT_STREAMS[stream][1])
