"""The retraining side: RetrainRequested and RollbackRequested, with their evidence, for a pipeline to act on.

A pipeline reads requests, retrains or rolls back, and answers through ``VigilClient``
(``record_retrain_completed`` / ``record_deployment`` with the request's ``incident_id``).
Offsets are committed only for requests the loop has finished with (at-least-once): a
pipeline that crashes mid-retrain sees the request again, so acting on one must be
idempotent per ``incident_id``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Optional, Union

from confluent_kafka import Consumer, Message, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

from .settings import VigilSettings, resolve_settings
from .topics import topic_map

log = logging.getLogger("vigil")


@dataclass(frozen=True)
class Evidence:
    """One observation behind a request (schemas/evidence.avsc)."""

    metric: str
    value: float
    threshold: Optional[float]
    baseline: Optional[float]
    feature: Optional[str]
    window_start: datetime
    window_end: datetime
    sample_size: int


@dataclass(frozen=True)
class RetrainRequested:
    event_id: str
    incident_id: str
    model_id: str
    model_version: str
    requested_at: datetime
    policy: str
    reason: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class RollbackRequested:
    event_id: str
    incident_id: str
    model_id: str
    from_version: str
    to_version: str
    requested_at: datetime
    policy: str
    reason: str
    evidence: tuple[Evidence, ...]


Request = Union[RetrainRequested, RollbackRequested]


def _time(value: Any) -> datetime:
    """fastavro gives timestamp-millis as an aware datetime; an int would be epoch milliseconds."""
    if isinstance(value, datetime):
        return value
    return datetime.fromtimestamp(value / 1000, tz=timezone.utc)


def _evidence(items: list[dict[str, Any]]) -> tuple[Evidence, ...]:
    return tuple(
        Evidence(
            metric=e["metric"],
            value=e["value"],
            threshold=e["threshold"],
            baseline=e["baseline"],
            feature=e["feature"],
            window_start=_time(e["windowStart"]),
            window_end=_time(e["windowEnd"]),
            sample_size=e["sampleSize"],
        )
        for e in items
    )


def retrain_requested(value: dict[str, Any]) -> RetrainRequested:
    return RetrainRequested(
        event_id=value["eventId"],
        incident_id=value["incidentId"],
        model_id=value["modelId"],
        model_version=value["modelVersion"],
        requested_at=_time(value["requestedAt"]),
        policy=value["policy"],
        reason=value["reason"],
        evidence=_evidence(value["evidence"]),
    )


def rollback_requested(value: dict[str, Any]) -> RollbackRequested:
    return RollbackRequested(
        event_id=value["eventId"],
        incident_id=value["incidentId"],
        model_id=value["modelId"],
        from_version=value["fromVersion"],
        to_version=value["toVersion"],
        requested_at=_time(value["requestedAt"]),
        policy=value["policy"],
        reason=value["reason"],
        evidence=_evidence(value["evidence"]),
    )


class LifecycleRequests:
    """Consumes ``<prefix>retrain-requested`` and ``<prefix>rollback-requested`` in one consumer group.

    ``for request in requests:`` yields each request and commits it when the loop asks for
    the next one; ``poll(timeout)`` and ``commit()`` give the same control step by step.
    Only committed orchestrator transactions are read (``isolation.level=read_committed``).
    """

    def __init__(
        self,
        group_id: str,
        settings: Optional[VigilSettings] = None,
        *,
        from_beginning: bool = True,
        **overrides: Any,
    ) -> None:
        resolved = resolve_settings(settings, overrides)
        topics = topic_map(resolved.topic_prefix)
        self._retrain_topic = topics["retrainRequested"]
        self._rollback_topic = topics["rollbackRequested"]
        self._registry = SchemaRegistryClient(resolved.registry())
        self._deserializer = AvroDeserializer(self._registry)
        self._consumer = Consumer(
            {
                "group.id": group_id,
                "enable.auto.commit": False,
                "isolation.level": "read_committed",
                "auto.offset.reset": "earliest" if from_beginning else "latest",
                **resolved.librdkafka(),
            }
        )
        self._consumer.subscribe([self._retrain_topic, self._rollback_topic])
        self._uncommitted: dict[tuple[str, int], int] = {}

    def poll(self, timeout: float = 1.0) -> Optional[Request]:
        """The next request, or None when none arrived within ``timeout`` seconds."""
        message = self._consumer.poll(timeout)
        if message is None:
            return None
        error = message.error()
        topic, partition, offset = message.topic(), message.partition(), message.offset()
        if error is not None or topic is None or partition is None or offset is None:
            # Errors arrive as messages without a position (e.g. a partition end, a broker away).
            log.warning("vigil: consumer error", extra={"error": error.str() if error else "a message without a position"})
            return None
        self._uncommitted[(topic, partition)] = offset + 1
        return self._decode(topic, message)

    def commit(self) -> None:
        """Commits every request returned so far (synchronously)."""
        if not self._uncommitted:
            return
        offsets = [TopicPartition(topic, partition, offset) for (topic, partition), offset in self._uncommitted.items()]
        self._consumer.commit(offsets=offsets, asynchronous=False)
        self._uncommitted.clear()

    def __iter__(self) -> Iterator[Request]:
        while True:
            request = self.poll(1.0)
            if request is not None:
                yield request
                self.commit()

    def close(self) -> None:
        """Commits what was handled and leaves the group."""
        try:
            self.commit()
        finally:
            self._consumer.close()
            self._registry.close()

    def __enter__(self) -> "LifecycleRequests":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _decode(self, topic: str, message: Message) -> Optional[Request]:
        try:
            value = self._deserializer(message.value(), SerializationContext(topic, MessageField.VALUE))
        except Exception as error:  # a record this SDK cannot read must not stop the pipeline
            log.error(
                "vigil: request not decodable, skipped",
                extra={"topic": topic, "partition": message.partition(), "offset": message.offset(), "error": str(error)},
            )
            return None
        return retrain_requested(value) if topic == self._retrain_topic else rollback_requested(value)
