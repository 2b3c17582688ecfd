"""Complete, validated events from what a service passes, as libs/sdk/src/events.ts builds them.

Events are dicts keyed by the Avro field names (camelCase, as in schemas/), so validation
messages name the same fields as the TypeScript SDK and the ingestor.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
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
    A mismatch raises ValidationError naming the first bad path, like avsc's errorHook.
    """
    record, check = _conformer(schema_name)
    try:
        converted: Event = check(event)
    except _Mismatch as mismatch:
        raise ValidationError(".".join(mismatch.path), f"does not match the Avro schema {record}") from None
    return converted


class _Mismatch(Exception):
    """A value the schema refuses; each enclosing field or map key prepends itself to ``path``."""

    def __init__(self) -> None:
        super().__init__()
        self.path: list[str] = []


Check = Callable[[Any], Any]


@lru_cache(maxsize=None)
def _conformer(schema_name: str) -> tuple[str, Check]:
    """The schema compiled once into nested checks (a walk of the schema per record cost more than the rest of a call)."""
    schema = load_schema(schema_name)
    return f"{schema['namespace']}.{schema['name']}", _compile(schema)  # avsc's Type.name, which the TS message prints


def _compile(avro_type: Any) -> Check:
    if isinstance(avro_type, list):
        return _compile_union(avro_type)
    kind = avro_type["type"] if isinstance(avro_type, dict) else avro_type
    if isinstance(avro_type, dict) and avro_type.get("logicalType") == "timestamp-millis":
        return _timestamp
    if kind == "record":
        return _compile_record(avro_type["fields"])
    if kind == "map":
        return _compile_map(_compile(avro_type["values"]))
    if kind == "array":
        return _compile_array(_compile(avro_type["items"]))
    if kind == "enum":
        return _compile_enum(frozenset(avro_type["symbols"]))
    return _PRIMITIVES[kind]


def _compile_union(branches: list[Any]) -> Check:
    nullable = "null" in branches
    checks = [_compile(b) for b in branches if b != "null"]

    def check(value: Any) -> Any:
        if value is None and nullable:
            return None
        for branch in checks:
            try:
                return branch(value)
            except _Mismatch:
                continue
        raise _Mismatch()  # avsc names the union itself, not a branch's inside

    return check


def _compile_record(fields: list[dict[str, Any]]) -> Check:
    compiled = [(f["name"], _compile(f["type"])) for f in fields]

    def check(value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise _Mismatch()
        out = {}
        for name, field_check in compiled:
            try:
                out[name] = field_check(value.get(name))
            except _Mismatch as mismatch:
                mismatch.path.insert(0, name)
                raise
        return out

    return check


def _compile_map(values: Check) -> Check:
    def check(value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise _Mismatch()
        out = {}
        for key, item in value.items():
            if type(key) is not str:
                raise _Mismatch()
            try:
                out[key] = values(item)
            except _Mismatch as mismatch:
                mismatch.path.insert(0, key)
                raise
        return out

    return check


def _compile_array(items: Check) -> Check:
    def check(value: Any) -> Any:
        if not isinstance(value, list):
            raise _Mismatch()
        return [items(item) for item in value]

    return check


def _compile_enum(symbols: frozenset[str]) -> Check:
    def check(value: Any) -> Any:
        if isinstance(value, str) and value in symbols:
            return value
        raise _Mismatch()

    return check


def _timestamp(value: Any) -> int:
    if isinstance(value, datetime):
        return to_millis(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise _Mismatch()


def _string(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise _Mismatch()


def _double(value: Any) -> float:
    if type(value) is float:
        return value
    if is_number(value):
        return float(value)
    raise _Mismatch()


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise _Mismatch()


_PRIMITIVES: dict[str, Check] = {"string": _string, "double": _double, "boolean": _boolean}
