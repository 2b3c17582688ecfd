"""The README's and docs/sdk-python.md's examples, run as written against this run's stack."""

from __future__ import annotations

from typing import Any

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import API_TOKENS, ServiceProcess, Stack
from .vectors import REPO

EXAMPLE = re.compile(r"<!-- example: ([\w-]+) -->\n```python\n(.*?)```", re.S)


def examples() -> dict[str, str]:
    found: dict[str, str] = {}
    for doc in ("README.md", "docs/sdk-python.md"):
        found.update(EXAMPLE.findall((REPO / doc).read_text(encoding="utf-8")))
    return found


def run(stack: Stack, directory: Path, script: str, **env: str) -> str:
    result = subprocess.run(
        [sys.executable, script], cwd=directory, env={**stack.env(**env), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def records_where(stack: Stack, stream: str, match: Callable[[dict[str, Any]], bool], count: int = 1) -> list[dict[str, Any]]:
    """The records of ``stream`` that ``match``, once ``count`` of them arrived."""
    seen = stack.consume(f"{stack.prefix}{stream}", lambda r: sum(1 for _, v in r if match(v)) >= count)
    return [v for _, v in seen if match(v)]


def test_the_examples_are_found() -> None:
    assert set(examples()) == {"readme", "fastapi-service", "fastapi-try", "batch-scoring", "secured-kafka"}


def test_the_readme_example(stack: Stack, tmp_path: Path) -> None:
    (tmp_path / "example.py").write_text(examples()["readme"])
    prediction_id = run(stack, tmp_path, "example.py")
    [label] = records_where(stack, "labels", lambda v: v["predictionEventId"] == prediction_id)
    assert label["trueClass"] == "legit"


def test_the_fastapi_example(stack: Stack, tmp_path: Path) -> None:
    (tmp_path / "service.py").write_text(examples()["fastapi-service"])
    (tmp_path / "try_it.py").write_text(examples()["fastapi-try"])
    answer = json.loads(run(stack, tmp_path, "try_it.py"))
    # score(830) = 830 / 1000 = 0.83 > 0.5: fraud.
    assert answer["prediction"] == "fraud"
    [prediction] = records_where(stack, "predictions", lambda v: v["eventId"] == answer["prediction_id"])
    assert (prediction["numericFeatures"], prediction["scores"]["fraud"]) == ({"amount": 830.0}, pytest.approx(0.83))
    [label] = records_where(stack, "labels", lambda v: v["predictionEventId"] == answer["prediction_id"])
    assert label["trueClass"] == "fraud"


def test_the_batch_scoring_example(stack: Stack, monitor: ServiceProcess, tmp_path: Path) -> None:
    (tmp_path / "batch.py").write_text(examples()["batch-scoring"])
    assert run(stack, tmp_path, "batch.py", VIGIL_MONITOR_URL=monitor.url, VIGIL_API_TOKEN=API_TOKENS["write"]) == "recorded 3 predictions"
    predictions = records_where(stack, "predictions", lambda v: v["modelId"] == "churn", 3)
    assert sorted((p["entityId"], p["predictedClass"], p["numericFeatures"]["tenure"]) for p in predictions) == [
        ("c-1", "churn", 3.0), ("c-2", "stay", 26.0), ("c-3", "stay", None),
    ]
