"""The shared validation vectors: the same events give the same errors as in TypeScript."""

from __future__ import annotations

import pytest

from vigil.events import conform
from vigil.validation import (
    ValidationError,
    to_millis,
    validate_label,
    validate_model_deployed,
    validate_prediction,
    validate_retrain_completed,
)

from .vectors import Vector, load

NOW, VECTORS = load()
NOW_MS = to_millis(NOW)


def check(vector: Vector) -> None:
    if vector.kind == "prediction":
        validate_prediction(vector.event, NOW_MS)
        if vector.stage == "schema":
            conform("prediction-event", vector.event)
    elif vector.kind == "label":
        validate_label(vector.event, NOW_MS)
    elif vector.kind == "modelDeployed":
        validate_model_deployed(vector.event)
    else:
        validate_retrain_completed(vector.event)


def test_every_kind_has_valid_and_invalid_vectors() -> None:
    for kind in ("prediction", "label", "modelDeployed", "retrainCompleted"):
        assert any(v.kind == kind and v.error is None for v in VECTORS)
        assert any(v.kind == kind and v.error is not None for v in VECTORS)


@pytest.mark.parametrize("vector", VECTORS, ids=[f"{v.kind}-{v.stage}: {v.name}" for v in VECTORS])
def test_vector(vector: Vector) -> None:
    if vector.error is None:
        check(vector)
    else:
        with pytest.raises(ValidationError) as raised:
            check(vector)
        assert str(raised.value) == vector.error
