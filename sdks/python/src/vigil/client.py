"""What a Python service uses to report predictions, labels and lifecycle events to Vigil.

Same contract as the TypeScript SDK (libs/sdk): every record is validated before it is
queued (a bad one raises ValidationError naming the field, and nothing is sent), keyed
by model id and written as Confluent-framed Avro. Unlike the TypeScript SDK, ``record_*``
never waits for the broker: it hands the record to librdkafka's queue and returns the
event id, so it can sit in a request path. Batching is librdkafka's own (``linger.ms``,
``batch.num.messages``); delivery results come back on a background thread, and failures
go to ``on_delivery_error`` and the ``stats`` counters.

A broker that refuses the SASL credentials fails every queued record at once with
"authentication failed: ..." instead of letting it wait ``message.timeout.ms``: a wrong
password does not fix itself (the Java client also treats it as not retriable).
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from types import FrameType
from typing import Any, Optional, Union

from confluent_kafka import KafkaError, KafkaException, Message, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from .batch import RowSource, RowValidationError, label_rows, prediction_rows
from .delivery import ClientClosedError, DeliveryFailure, DeliveryStats, FlushError, log_failure
from .events import (
    Event,
    EventDefaults,
    Task,
    build_label,
    build_model_deployed,
    build_prediction,
    build_retrain_completed,
)
from .registry import resolve_schemas
from .settings import VigilSettings, resolve_settings
from .topics import SDK_STREAMS, topic_map
from .validation import ValidationError

log = logging.getLogger("vigil")

#: The TypeScript SDK's batch defaults (libs/sdk/src/batcher.ts), as librdkafka settings.
PRODUCER_DEFAULTS: Mapping[str, Any] = {
    # Idempotence implies acks=all and keeps a partition's records in order through retries.
    "enable.idempotence": True,
    "linger.ms": 20,
    "batch.num.messages": 500,
}

#: Subjects by TopicNameStrategy (Vigil's rule), never registered by the serializer: connect did that.
#: Without the strategy type, confluent-kafka 2.16 first asks the registry for "associations".
SERIALIZER_CONF: Mapping[str, Any] = {"auto.register.schemas": False, "subject.name.strategy.type": "TOPIC"}

#: How long the background thread waits for delivery reports per poll.
POLL_INTERVAL_S = 0.1


class VigilClient:
    """Create with ``VigilClient.connect()``; use as a context manager or call ``close()``."""

    def __init__(
        self,
        producer: Producer,
        serializers: Mapping[str, AvroSerializer],
        topics: Mapping[str, str],
        *,
        defaults: EventDefaults = EventDefaults(),
        on_delivery_error: Callable[[DeliveryFailure], None] = log_failure,
        flush_at_exit: bool = True,
        flush_on_signals: Union[bool, Sequence[int]] = False,
        registry: Optional[SchemaRegistryClient] = None,
    ) -> None:
        self._producer = producer
        self._registry = registry
        self._serializers = dict(serializers)
        self._contexts = {stream: SerializationContext(topics[stream], MessageField.VALUE) for stream in SDK_STREAMS}
        self._topics = {stream: topics[stream] for stream in SDK_STREAMS}
        self._defaults = defaults
        self._on_delivery_error = on_delivery_error
        self._lock = threading.Lock()
        self._queued = 0
        self._delivered = 0
        self._failed = 0
        self._unreported: list[DeliveryFailure] = []
        #: The broker's last refusal of the SASL credentials (librdkafka's text), if any.
        self._authentication_error: Optional[str] = None
        self._closed = False
        self._stop_polling = threading.Event()
        self._poller = threading.Thread(target=self._poll_loop, name="vigil-delivery", daemon=True)
        self._poller.start()
        self._flush_at_exit = flush_at_exit
        if flush_at_exit:
            atexit.register(self._close_at_exit)
        self._previous_handlers: dict[int, Any] = {}
        if flush_on_signals:
            self._close_on_signals([signal.SIGTERM, signal.SIGINT] if flush_on_signals is True else list(flush_on_signals))

    @classmethod
    def connect(
        cls,
        settings: Optional[VigilSettings] = None,
        *,
        register_schemas: bool = True,
        on_delivery_error: Callable[[DeliveryFailure], None] = log_failure,
        flush_at_exit: bool = True,
        flush_on_signals: Union[bool, Sequence[int]] = False,
        defaults: EventDefaults = EventDefaults(),
        **overrides: Any,
    ) -> "VigilClient":
        """Resolves the schema ids (looking up before registering, so no duplicate version) and creates the producer.

        ``settings`` defaults to ``VigilSettings.from_env()``; keyword ``overrides`` replace
        single fields (``topic_prefix="test."``, ``kafka_config={"linger.ms": 5}``).
        ``register_schemas=False`` only looks the schemas up, for credentials that may not write.
        ``flush_on_signals`` (True = SIGTERM and SIGINT, or a list; main thread only): close the
        client first, then let the signal do what it did before (Python's default SIGTERM
        ends the process without running ``atexit``).
        """
        resolved = resolve_settings(settings, overrides)
        topics = topic_map(resolved.topic_prefix)
        registry = SchemaRegistryClient(resolved.registry())
        try:
            schemas = resolve_schemas(registry, topics, SDK_STREAMS, register_schemas)
        except BaseException:
            registry.close()
            raise
        serializers = {
            stream: AvroSerializer(registry, schemas[stream], conf=SERIALIZER_CONF)
            for stream in SDK_STREAMS
        }
        client_errors = _ClientErrors()
        producer = Producer({**PRODUCER_DEFAULTS, **resolved.librdkafka(), "error_cb": client_errors})
        client = cls(
            producer,
            serializers,
            topics,
            defaults=defaults,
            on_delivery_error=on_delivery_error,
            flush_at_exit=flush_at_exit,
            flush_on_signals=flush_on_signals,
            registry=registry,
        )
        client_errors.client = client
        return client

    @property
    def topics(self) -> dict[str, str]:
        """The topics this client writes to, by stream."""
        return dict(self._topics)

    @property
    def stats(self) -> DeliveryStats:
        with self._lock:
            return DeliveryStats(self._queued, self._delivered, self._failed)

    def record_prediction(
        self,
        *,
        model_id: str,
        model_version: str,
        latency_ms: float,
        event_id: Optional[str] = None,
        event_time: Optional[datetime] = None,
        entity_id: Optional[str] = None,
        task: Optional[Task] = None,
        numeric_features: Optional[Mapping[str, Optional[float]]] = None,
        categorical_features: Optional[Mapping[str, Optional[str]]] = None,
        predicted_class: Optional[str] = None,
        scores: Optional[Mapping[str, float]] = None,
        predicted_value: Optional[float] = None,
        tags: Optional[Mapping[str, str]] = None,
    ) -> str:
        """Validates and queues one prediction; returns its event id (labels refer to it)."""
        event = build_prediction(
            self._defaults,
            model_id=model_id,
            model_version=model_version,
            latency_ms=latency_ms,
            event_id=event_id,
            event_time=event_time,
            entity_id=entity_id,
            task=task,
            numeric_features=numeric_features,
            categorical_features=categorical_features,
            predicted_class=predicted_class,
            scores=scores,
            predicted_value=predicted_value,
            tags=tags,
        )
        return self._send("predictions", event)

    def record_predictions(self, rows: RowSource, **mapping: Any) -> list[str]:
        """Every row of a DataFrame (or dicts) as a prediction; all are validated before any is queued.

        See ``vigil.batch.prediction_rows`` for the mapping (``columns``, ``numeric_features``,
        ``categorical_features``, ``score_columns``, ``tag_columns`` and constant fields such as
        ``model_id=...``). A bad row raises RowValidationError naming the row and the field.
        """
        return self._send_rows("predictions", prediction_rows(rows, **mapping), build_prediction)

    def record_label(
        self,
        *,
        prediction_event_id: str,
        model_id: str,
        true_class: Optional[str] = None,
        true_value: Optional[float] = None,
        event_id: Optional[str] = None,
        event_time: Optional[datetime] = None,
    ) -> str:
        """The ground truth of an earlier prediction: exactly one of ``true_class`` and ``true_value``."""
        event = build_label(
            self._defaults,
            prediction_event_id=prediction_event_id,
            model_id=model_id,
            true_class=true_class,
            true_value=true_value,
            event_id=event_id,
            event_time=event_time,
        )
        return self._send("labels", event)

    def record_labels(self, rows: RowSource, **mapping: Any) -> list[str]:
        """Every row of a DataFrame (or dicts) as a label; all are validated before any is queued.

        ``columns`` maps a field to its column (``{"prediction_event_id": "request_id",
        "true_class": "outcome"}``); other keywords are constants (``model_id="churn"``).
        """
        return self._send_rows("labels", label_rows(rows, **mapping), build_label)

    def record_deployment(
        self,
        *,
        model_id: str,
        version: str,
        reason: str = "manual",
        incident_id: Optional[str] = None,
        artifact_uri: Optional[str] = None,
        event_id: Optional[str] = None,
        deployed_at: Optional[datetime] = None,
    ) -> str:
        """A version started serving (``reason``: initial, retrain, rollback or manual)."""
        event = build_model_deployed(
            self._defaults,
            model_id=model_id,
            version=version,
            reason=reason,
            incident_id=incident_id,
            artifact_uri=artifact_uri,
            event_id=event_id,
            deployed_at=deployed_at,
        )
        return self._send("modelDeployed", event)

    def record_retrain_completed(
        self,
        *,
        model_id: str,
        new_version: str,
        succeeded: bool,
        incident_id: Optional[str] = None,
        event_id: Optional[str] = None,
        completed_at: Optional[datetime] = None,
    ) -> str:
        """The training pipeline finished (``incident_id`` from the RetrainRequested it answers)."""
        event = build_retrain_completed(
            self._defaults,
            model_id=model_id,
            new_version=new_version,
            succeeded=succeeded,
            incident_id=incident_id,
            event_id=event_id,
            completed_at=completed_at,
        )
        return self._send("retrainCompleted", event)

    def flush(self, timeout: float = 30.0) -> None:
        """Waits until every queued record is delivered or failed.

        Raises FlushError when records are still undelivered after ``timeout`` seconds or when
        records failed since the last flush (they were also reported to ``on_delivery_error``).
        """
        undelivered = self._producer.flush(timeout)
        with self._lock:
            failures, self._unreported = self._unreported, []
        if undelivered > 0 or failures:
            raise FlushError(
                f"{len(failures)} record(s) failed and {undelivered} not delivered after {timeout} s",
                failures,
                undelivered,
            )

    def close(self, timeout: float = 30.0) -> None:
        """Flushes, then stops the delivery thread; later ``record_*`` calls raise ClientClosedError."""
        if self._closed:
            return
        self._closed = True
        if self._flush_at_exit:
            atexit.unregister(self._close_at_exit)
        for signum, previous in self._previous_handlers.items():
            signal.signal(signum, previous)
        try:
            self.flush(timeout)
        finally:
            self._stop_polling.set()
            self._poller.join()
            if self._registry is not None:
                self._registry.close()

    def __enter__(self) -> "VigilClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send_rows(self, stream: str, rows: Iterable[dict[str, Any]], build: Callable[..., Event]) -> list[str]:
        """Builds every row's event first (RowValidationError names the bad row), then queues them all."""
        events = []
        for row, fields in enumerate(rows):
            try:
                events.append(build(self._defaults, **fields))
            except ValidationError as error:
                raise RowValidationError(row, error) from error
        return [self._send(stream, event) for event in events]

    def _send(self, stream: str, event: Event) -> str:
        if self._closed:
            raise ClientClosedError()
        value = self._serializers[stream](event, self._contexts[stream])
        event_id: str = event["eventId"]
        model_id: str = event["modelId"]
        topic = self._topics[stream]

        def delivered(error: Optional[KafkaError], _message: Message) -> None:
            self._report(error, event_id, topic, model_id)

        with self._lock:
            self._queued += 1
        try:
            self._producer.produce(topic, value=value, key=model_id.encode(), on_delivery=delivered)
        except BufferError:
            # librdkafka's queue is full (queue.buffering.max.messages): waiting here would
            # block the caller's request, so the record is reported as failed instead.
            self._report_failure(DeliveryFailure(event_id, topic, model_id, "the producer queue is full", True))
        except KafkaException as error:
            self._report(error.args[0], event_id, topic, model_id)
        return event_id

    def _report(self, error: Optional[KafkaError], event_id: str, topic: str, model_id: str) -> None:
        if error is None:
            with self._lock:
                self._delivered += 1
            return
        if error.code() == KafkaError._PURGE_QUEUE and self._authentication_error is not None:
            self._report_failure(DeliveryFailure(event_id, topic, model_id, f"authentication failed: {self._authentication_error}", False))
            return
        self._report_failure(DeliveryFailure(event_id, topic, model_id, error.str(), error.retriable()))

    def _authentication_failed(self, error: KafkaError) -> None:
        """Fails what is queued now; records queued later fail at the broker's next refusal."""
        self._authentication_error = error.str()
        self._producer.purge(in_queue=True, in_flight=False)

    def _report_failure(self, failure: DeliveryFailure) -> None:
        with self._lock:
            self._failed += 1
            self._unreported.append(failure)
        try:
            self._on_delivery_error(failure)
        except Exception:  # a failing callback must not kill the delivery thread
            log.exception("vigil: on_delivery_error raised")

    def _close_at_exit(self) -> None:
        try:
            self.close()
        except FlushError as error:
            log.error("vigil: records lost at exit", extra={"failed": len(error.failures), "undelivered": error.undelivered})

    def _close_on_signals(self, signals: Sequence[int]) -> None:
        for signum in signals:
            self._previous_handlers[signum] = signal.getsignal(signum)
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, frame: Optional[FrameType]) -> None:
        previous = self._previous_handlers.get(signum, signal.SIG_DFL)
        try:
            self.close()  # also puts the previous handlers back
        except FlushError as error:
            log.error("vigil: records lost on signal", extra={"failed": len(error.failures), "undelivered": error.undelivered})
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL:
            os.kill(os.getpid(), signum)  # delivered again to the default action, e.g. end the process

    def _poll_loop(self) -> None:
        while not self._stop_polling.is_set():
            self._producer.poll(POLL_INTERVAL_S)


class _ClientErrors:
    """librdkafka's ``error_cb``: logs each error, and hands SASL refusals to the client."""

    def __init__(self) -> None:
        self.client: Optional[VigilClient] = None

    def __call__(self, error: KafkaError) -> None:
        log.warning(f"vigil: Kafka client error: {error.str()}", extra={"error": error.str(), "retriable": error.retriable()})
        if error.code() == KafkaError._AUTHENTICATION and self.client is not None:
            self.client._authentication_failed(error)
