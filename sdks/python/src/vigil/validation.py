"""Domain rules Avro cannot express, the same as libs/contracts/src/validation.ts.

The TypeScript SDK applies them before sending and the ingestor after decoding; this
module applies them before anything leaves a Python process. Messages are identical
(``schemas/validation-vectors.json`` is run by both test suites), so values are printed
the way JavaScript prints them (``NaN``, ``null``, ``1e-7``, ISO dates with milliseconds).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from numbers import Real
from typing import Any, Final

EPOCH: Final = datetime(1970, 1, 1, tzinfo=timezone.utc)


class ValidationError(ValueError):
    """A record breaks the contract; ``field`` names the culprit (``latencyMs``, ``numericFeatures.amount``)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class LIMITS:
    #: Latency above a day is a unit mistake (µs sent as ms), not a slow model.
    max_latency_ms: Final = 86_400_000
    #: Events dated before 2000 or more than a day ahead are clock or unit errors.
    min_event_time_ms: Final = 946_684_800_000  # Date.UTC(2000, 0, 1)
    max_clock_skew_ms: Final = 86_400_000
    max_id_length: Final = 256
    max_features: Final = 1_000


# String.prototype.trim's WhiteSpace and LineTerminator code points (ECMA-262 §12.2, §12.3);
# Python's str.strip differs (it keeps U+FEFF and strips U+001C..U+001F).
_JS_WHITESPACE: Final = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)


def utf16_length(text: str) -> int:
    """JavaScript's ``string.length``: characters outside the BMP count twice."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def js_number(value: float) -> str:
    """``String(value)`` for a JavaScript number (ECMA-262 Number::toString)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    # repr gives the shortest digits that round-trip, as JavaScript's algorithm does.
    mantissa, _, exponent = repr(abs(float(value))).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    point = len(whole) + int(exponent or 0) if whole != "0" else int(exponent or 0) - (len(fraction) - len(fraction.lstrip("0")))
    digits = digits.rstrip("0") or "0"
    k, n = len(digits), point
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        text = f"0.{'0' * -n}{digits}"
    else:
        e = n - 1
        text = (digits[0] + ("." + digits[1:] if k > 1 else "")) + f"e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + text


def js_string(value: Any) -> str:
    """``String(value)`` for what a JavaScript caller could have passed."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Real):
        return js_number(float(value))
    if isinstance(value, datetime):
        return iso_millis(to_millis(value))
    return str(value)


def to_millis(value: datetime) -> int:
    """Milliseconds since the epoch, truncated like Avro's timestamp-millis; naive datetimes are UTC."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    return (aware - EPOCH) // timedelta(milliseconds=1)


def iso_millis(ms: int) -> str:
    """``Date.prototype.toISOString``."""
    return (EPOCH + timedelta(milliseconds=ms)).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def is_number(value: Any) -> bool:
    """A JavaScript number's Python counterparts: int, float and numpy's scalars, not bool."""
    kind = type(value)
    if kind is float or kind is int:
        return True
    return isinstance(value, Real) and kind is not bool


def require_id(value: Any, field: str) -> str:
    if not isinstance(value, str) or len(value.strip(_JS_WHITESPACE)) == 0:
        raise ValidationError(field, "is required")
    # Only text longer than half the limit can exceed it in UTF-16 units.
    if len(value) * 2 > LIMITS.max_id_length and utf16_length(value) > LIMITS.max_id_length:
        raise ValidationError(field, f"is longer than {LIMITS.max_id_length}")
    return value


def require_date(value: Any, field: str) -> int:
    """Milliseconds since the epoch of a valid date."""
    if not isinstance(value, datetime):
        raise ValidationError(field, "must be a valid date")
    return to_millis(value)


def require_time(value: Any, field: str, now_ms: int) -> int:
    t = require_date(value, field)
    if t < LIMITS.min_event_time_ms or t > now_ms + LIMITS.max_clock_skew_ms:
        raise ValidationError(field, f"{iso_millis(t)} is outside 2000-01-01 .. now + 1 day")
    return t


def require_finite(value: Any, field: str) -> float:
    if type(value) is float and math.isfinite(value):
        return value
    if not is_number(value) or not math.isfinite(value):
        raise ValidationError(field, f"must be a finite number, got {js_string(value)}")
    return float(value)


def _check_feature_count(features: Mapping[str, Any], field: str) -> None:
    if len(features) > LIMITS.max_features:
        raise ValidationError(field, f"has more than {LIMITS.max_features} entries")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def now_millis() -> int:
    return to_millis(datetime.now(timezone.utc))


def validate_prediction(event: Mapping[str, Any], now_ms: int | None = None) -> Mapping[str, Any]:
    """``validatePrediction``: raises ValidationError naming the first bad field."""
    now = now_millis() if now_ms is None else now_ms
    require_id(event.get("eventId"), "eventId")
    require_id(event.get("modelId"), "modelId")
    require_id(event.get("modelVersion"), "modelVersion")
    require_time(event.get("eventTime"), "eventTime", now)
    latency = require_finite(event.get("latencyMs"), "latencyMs")
    if latency < 0 or latency > LIMITS.max_latency_ms:
        raise ValidationError("latencyMs", f"{js_number(latency)} is outside 0 .. {LIMITS.max_latency_ms}")
    # A map that is not a mapping at all is left to the Avro check, which names it.
    numeric = _mapping(event.get("numericFeatures"))
    _check_feature_count(numeric, "numericFeatures")
    _check_feature_count(_mapping(event.get("categoricalFeatures")), "categoricalFeatures")
    # The common case (a finite float) skips building the field name.
    for name, value in numeric.items():
        if value is not None and not (type(value) is float and math.isfinite(value)):
            require_finite(value, f"numericFeatures.{name}")
    for name, value in _mapping(event.get("scores")).items():
        if not (type(value) is float and math.isfinite(value)):
            require_finite(value, f"scores.{name}")
    task = event.get("task")
    if task == "CLASSIFICATION":
        require_id(event.get("predictedClass"), "predictedClass")
    elif task == "REGRESSION":
        require_finite(event.get("predictedValue"), "predictedValue")
    else:
        raise ValidationError("task", f"must be CLASSIFICATION or REGRESSION, got {js_string(task)}")
    return event


def validate_label(event: Mapping[str, Any], now_ms: int | None = None) -> Mapping[str, Any]:
    """``validateLabel``: exactly one truth, ids present, a plausible time."""
    now = now_millis() if now_ms is None else now_ms
    require_id(event.get("eventId"), "eventId")
    require_id(event.get("predictionEventId"), "predictionEventId")
    require_id(event.get("modelId"), "modelId")
    require_time(event.get("eventTime"), "eventTime", now)
    has_class = event.get("trueClass") is not None
    has_value = event.get("trueValue") is not None
    if has_class == has_value:
        raise ValidationError("trueClass", "exactly one of trueClass and trueValue must be set")
    if has_class:
        require_id(event.get("trueClass"), "trueClass")
    if has_value:
        require_finite(event.get("trueValue"), "trueValue")
    return event


def _require_text(value: Any, field: str) -> None:
    if not isinstance(value, str) or len(value.strip(_JS_WHITESPACE)) == 0:
        raise ValidationError(field, "is required")


def validate_model_deployed(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """The checks of ``buildModelDeployed`` in libs/sdk/src/events.ts."""
    _require_text(event.get("eventId"), "eventId")
    _require_text(event.get("modelId"), "modelId")
    _require_text(event.get("version"), "version")
    _require_text(event.get("reason"), "reason")
    require_date(event.get("deployedAt"), "deployedAt")
    return event


def validate_retrain_completed(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """The checks of ``buildRetrainCompleted`` in libs/sdk/src/events.ts."""
    _require_text(event.get("eventId"), "eventId")
    _require_text(event.get("modelId"), "modelId")
    _require_text(event.get("newVersion"), "newVersion")
    require_date(event.get("completedAt"), "completedAt")
    if not isinstance(event.get("succeeded"), bool):
        raise ValidationError("succeeded", "must be true or false")
    return event
