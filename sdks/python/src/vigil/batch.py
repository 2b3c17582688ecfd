"""Batch scoring: predictions and labels from a DataFrame (or dicts), and a training reference for the monitor.

pandas is optional: anything with ``to_dict("records")`` is read as a DataFrame, anything
else as an iterable of mappings.
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Optional, Protocol, Union

from .validation import ValidationError, is_number


class DataFrameLike(Protocol):
    """A pandas DataFrame, or anything else that gives its rows as ``to_dict("records")``."""

    def to_dict(self, orient: Any = ..., *args: Any, **kwargs: Any) -> Any: ...


RowSource = Union[DataFrameLike, Iterable[Mapping[str, Any]]]

#: record_prediction's per-row fields that a column can supply (``columns={"predicted_class": "pred"}``).
ROW_FIELDS = (
    "event_id",
    "event_time",
    "entity_id",
    "model_id",
    "model_version",
    "task",
    "predicted_class",
    "predicted_value",
    "latency_ms",
)

#: record_label's fields that a column can supply.
LABEL_FIELDS = ("event_id", "event_time", "prediction_event_id", "model_id", "true_class", "true_value")

#: The column name the monitor reads the model output from (apps/monitor/src/core/model-monitor.ts).
PREDICTION_COLUMN = "@prediction"


class RowValidationError(ValidationError):
    """Row ``row`` (0-based, in input order) breaks the contract; nothing of the batch was sent."""

    def __init__(self, row: int, cause: ValidationError) -> None:
        super().__init__(cause.field, cause.problem)
        self.row = row
        self.args = (f"row {row}: {cause}",)


class ReferenceUploadError(RuntimeError):
    """The monitor refused the reference; ``status`` is its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"PUT reference answered {status}: {message}")
        self.status = status


def records(rows: RowSource) -> list[dict[str, Any]]:
    """The rows as plain dicts, from a DataFrame or an iterable of mappings."""
    if hasattr(rows, "to_dict"):
        return list(rows.to_dict("records"))
    return [dict(row) for row in rows]


def _missing(value: Any) -> bool:
    """None, NaN and pandas' NaT/NA: what a DataFrame uses for an empty cell."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return type(value).__name__ in ("NaTType", "NAType")


def plain(value: Any) -> Any:
    """numpy scalars as Python numbers, empty cells as None."""
    if _missing(value):
        return None
    item = getattr(value, "item", None)
    if callable(item) and not isinstance(value, (str, bytes, datetime)):
        return item()
    return value


def prediction_rows(
    rows: RowSource,
    *,
    columns: Optional[Mapping[str, str]] = None,
    numeric_features: Optional[Sequence[str]] = None,
    categorical_features: Optional[Sequence[str]] = None,
    score_columns: Optional[Mapping[str, str]] = None,
    tag_columns: Optional[Sequence[str]] = None,
    **constants: Any,
) -> Iterator[dict[str, Any]]:
    """``record_prediction`` keyword arguments, one dict per row.

    - ``columns``: field -> column for the per-row fields (ROW_FIELDS); a field named like a
      column needs no entry (a column ``latency_ms`` is read as the latency).
    - ``constants``: fields equal for every row (``model_id="churn", model_version="v3"``).
    - ``score_columns``: class -> column of its score; ``tag_columns``: columns sent as tags
      (values as strings).
    - ``numeric_features``/``categorical_features``: feature columns. When neither is given,
      every column not used above is a feature, numeric when its first non-empty value is a
      number and categorical otherwise. Empty cells (None, NaN) are missing features.
    """
    unknown = set(constants) - set(ROW_FIELDS)
    if unknown:
        raise TypeError(f"record_predictions: unknown field(s) {', '.join(sorted(unknown))}; per-row fields are {', '.join(ROW_FIELDS)}")
    table = records(rows)
    field_columns = {name: name for name in ROW_FIELDS if name not in constants and table and name in table[0]}
    field_columns.update(columns or {})
    scores = dict(score_columns or {})
    tags = list(tag_columns or [])
    numeric, categorical = list(numeric_features or []), list(categorical_features or [])
    if numeric_features is None and categorical_features is None:
        used = set(field_columns.values()) | set(scores.values()) | set(tags)
        names = [name for name in (table[0] if table else {}) if name not in used]
        for name in names:
            first = next((row.get(name) for row in table if not _missing(row.get(name))), None)
            (numeric if is_number(plain(first)) else categorical).append(name)
    for row in table:
        fields: dict[str, Any] = dict(constants)
        for name, column in field_columns.items():
            fields[name] = plain(row.get(column))
        fields["numeric_features"] = {name: plain(row.get(name)) for name in numeric}
        fields["categorical_features"] = {name: plain(row.get(name)) for name in categorical}
        if scores:
            fields["scores"] = {label: plain(row.get(column)) for label, column in scores.items()}
        if tags:
            fields["tags"] = {name: str(plain(row.get(name))) for name in tags if not _missing(row.get(name))}
        yield fields


def label_rows(rows: RowSource, *, columns: Optional[Mapping[str, str]] = None, **constants: Any) -> Iterator[dict[str, Any]]:
    """``record_label`` keyword arguments, one dict per row: ``columns`` maps field -> column
    (a column named like a field needs no entry), ``constants`` are equal for every row."""
    unknown = set(constants) - set(LABEL_FIELDS)
    if unknown:
        raise TypeError(f"record_labels: unknown field(s) {', '.join(sorted(unknown))}; per-row fields are {', '.join(LABEL_FIELDS)}")
    table = records(rows)
    field_columns = {name: name for name in LABEL_FIELDS if name not in constants and table and name in table[0]}
    field_columns.update(columns or {})
    for row in table:
        yield {**constants, **{name: plain(row.get(column)) for name, column in field_columns.items()}}


def upload_reference(
    monitor_url: str,
    model_id: str,
    rows: RowSource,
    *,
    prediction_column: Optional[str] = None,
    api_token: Optional[str] = None,
    timeout: float = 30.0,
) -> dict[str, Any]:
    """Sends training rows to the monitor's ``PUT /models/:modelId/reference``; returns its answer.

    Each column's kind is taken by the monitor from its first non-null value (number →
    numeric, anything else → categorical). ``prediction_column`` names the column holding
    the model's output on the training data, sent as ``@prediction`` for prediction drift.
    ``api_token`` is sent as ``Authorization: Bearer <token>``.
    """
    body_rows = []
    for row in records(rows):
        converted = {name: _json_value(value) for name, value in row.items()}
        if prediction_column is not None:
            converted[PREDICTION_COLUMN] = converted.pop(prediction_column)
        body_rows.append(converted)
    headers = {"content-type": "application/json"}
    if api_token:
        headers["authorization"] = f"Bearer {api_token}"
    url = f"{monitor_url.rstrip('/')}/models/{urllib.parse.quote(model_id, safe='')}/reference"
    request = urllib.request.Request(url, data=json.dumps({"rows": body_rows}).encode(), headers=headers, method="PUT")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer: dict[str, Any] = json.loads(response.read())
            return answer
    except urllib.error.HTTPError as error:
        text = error.read().decode(errors="replace")
        try:
            message = json.loads(text).get("message", text)
        except ValueError:
            message = text
        raise ReferenceUploadError(error.code, str(message)) from None


def _json_value(value: Any) -> Any:
    converted = plain(value)
    if isinstance(converted, datetime):
        return converted.isoformat()
    return converted
