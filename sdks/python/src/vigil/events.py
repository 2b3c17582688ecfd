"""Complete, validated events from what a service passes, as libs/sdk/src/events.ts builds them.

Events are dicts keyed by the Avro field names (camelCase, as in schemas/), so validation
messages name the same fields as the TypeScript SDK and the ingestor.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal, Optional

from .schemas import load_schema
from .validation import (
    ValidationError,
    is_number,
    to_millis,
    validate_label,
    validate_model_deployed,
    validate_prediction,
    validate_retrain_completed,
)

Task = Literal["CLASSIFICATION", "REGRESSION"]
Event = dict[str, Any]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class EventDefaults:
    """Where the defaults come from; injectable so tests pin them."""

    now: Callable[[], datetime] = field(default=_now)
    new_id: Callable[[], str] = field(default=_new_id)


def infer_task(task: Optional[str], predicted_class: Any, predicted_value: Any) -> str:
    """REGRESSION when only a predicted value is given, otherwise CLASSIFICATION."""
    if task:
        return task
    return "REGRESSION" if predicted_value is not None and predicted_class is None else "CLASSIFICATION"


def build_prediction(
    defaults: EventDefaults,
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
) -> Event:
    now = defaults.now()
    event: Event = {
        "eventId": defaults.new_id() if event_id is None else event_id,
        "modelId": model_id,
        "modelVersion": model_version,
        "eventTime": now if event_time is None else event_time,
        "entityId": entity_id,
        "task": infer_task(task, predicted_class, predicted_value),
        "numericFeatures": dict(numeric_features or {}),
        "categoricalFeatures": dict(categorical_features or {}),
        "predictedClass": predicted_class,
        "scores": dict(scores or {}),
        "predictedValue": predicted_value,
        "latencyMs": latency_ms,
        "tags": dict(tags or {}),
    }
    validate_prediction(event, to_millis(now))
    return conform("prediction-event", event)


def build_label(
    defaults: EventDefaults,
    *,
    prediction_event_id: str,
    model_id: str,
    true_class: Optional[str] = None,
    true_value: Optional[float] = None,
    event_id: Optional[str] = None,
    event_time: Optional[datetime] = None,
) -> Event:
    now = defaults.now()
    event: Event = {
        "eventId": defaults.new_id() if event_id is None else event_id,
        "predictionEventId": prediction_event_id,
        "modelId": model_id,
        "eventTime": now if event_time is None else event_time,
        "trueClass": true_class,
        "trueValue": true_value,
    }
    validate_label(event, to_millis(now))
    return conform("label-event", event)


def build_model_deployed(
    defaults: EventDefaults,
    *,
    model_id: str,
    version: str,
    reason: str = "manual",
    incident_id: Optional[str] = None,
    artifact_uri: Optional[str] = None,
    event_id: Optional[str] = None,
    deployed_at: Optional[datetime] = None,
) -> Event:
    event: Event = {
        "eventId": defaults.new_id() if event_id is None else event_id,
        "modelId": model_id,
        "version": version,
        "deployedAt": defaults.now() if deployed_at is None else deployed_at,
        "reason": reason,
        "incidentId": incident_id,
        "artifactUri": artifact_uri,
    }
    validate_model_deployed(event)
    return conform("model-deployed", event)


def build_retrain_completed(
    defaults: EventDefaults,
    *,
    model_id: str,
    new_version: str,
    succeeded: bool,
    incident_id: Optional[str] = None,
    event_id: Optional[str] = None,
    completed_at: Optional[datetime] = None,
) -> Event:
    event: Event = {
        "eventId": defaults.new_id() if event_id is None else event_id,
        "incidentId": incident_id,
        "modelId": model_id,
        "newVersion": new_version,
        "completedAt": defaults.now() if completed_at is None else completed_at,
        "succeeded": succeeded,
    }
    validate_retrain_completed(event)
    return conform("retrain-completed", event)


def conform(schema_name: str, event: Event) -> Event:
    """Checks the event against the Avro schema (as the TS encoder does) and returns it ready to encode.

    Numbers become floats where the schema says double (numpy scalars included) and
    dates become epoch milliseconds, so the encoder never sees a type it would refuse.
    """
    schema = load_schema(schema_name)
    record = f"{schema['namespace']}.{schema['name']}"  # avsc's Type.name, which the TS message prints
    return {f["name"]: _conform(f["type"], event.get(f["name"]), [f["name"]], record) for f in schema["fields"]}


def _refuse(path: list[str], record: str) -> ValidationError:
    return ValidationError(".".join(path), f"does not match the Avro schema {record}")


def _conform(avro_type: Any, value: Any, path: list[str], record: str) -> Any:
    if isinstance(avro_type, list):
        if value is None and "null" in avro_type:
            return None
        for branch in avro_type:
            if branch == "null":
                continue
            try:
                return _conform(branch, value, path, record)
            except ValidationError:
                continue
        raise _refuse(path, record)
    kind = avro_type["type"] if isinstance(avro_type, dict) else avro_type
    if isinstance(avro_type, dict) and avro_type.get("logicalType") == "timestamp-millis":
        if isinstance(value, datetime):
            return to_millis(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise _refuse(path, record)
    if kind == "string":
        if isinstance(value, str):
            return value
    elif kind == "double":
        if is_number(value):
            return float(value)
    elif kind == "boolean":
        if isinstance(value, bool):
            return value
    elif kind == "enum":
        if isinstance(value, str) and value in avro_type["symbols"]:
            return value
    elif kind == "map":
        if isinstance(value, Mapping):
            out = {}
            for key, item in value.items():
                if not isinstance(key, str):
                    raise _refuse(path, record)
                out[key] = _conform(avro_type["values"], item, [*path, key], record)
            return out
    elif kind == "array":
        if isinstance(value, list):
            return [_conform(avro_type["items"], item, path, record) for item in value]
    elif kind == "record":
        if isinstance(value, Mapping):
            return {f["name"]: _conform(f["type"], value.get(f["name"]), [*path, f["name"]], record) for f in avro_type["fields"]}
    raise _refuse(path, record)
