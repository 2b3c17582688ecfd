"""The topic map, as in libs/contracts/src/topics.ts (tests/test_contract.py checks they agree).

Every topic is keyed by model id, so one model's events stay in order on one partition.
The value subject of each topic follows the TopicNameStrategy: ``<topic>-value``.
"""

from __future__ import annotations

from typing import Final, Literal

Stream = Literal[
    "predictions",
    "labels",
    "modelDeployed",
    "retrainRequested",
    "retrainCompleted",
    "rollbackRequested",
    "metricSnapshots",
    "alerts",
]

#: stream -> (topic suffix, schema file name in schemas/)
EVENT_STREAMS: Final[dict[str, tuple[str, str]]] = {
    "predictions": ("predictions", "prediction-event"),
    "labels": ("labels", "label-event"),
    "modelDeployed": ("model-deployed", "model-deployed"),
    "retrainRequested": ("retrain-requested", "retrain-requested"),
    "retrainCompleted": ("retrain-completed", "retrain-completed"),
    "rollbackRequested": ("rollback-requested", "rollback-requested"),
    "metricSnapshots": ("metric-snapshots", "metric-snapshot"),
    "alerts": ("alerts", "alert"),
}

DEAD_LETTER_SUFFIX: Final = "dead-letter"
DEFAULT_TOPIC_PREFIX: Final = "vigil."

#: The streams a producing service writes; the rest belong to Vigil's own services.
SDK_STREAMS: Final = ("predictions", "labels", "modelDeployed", "retrainCompleted")


def topic_map(prefix: str = DEFAULT_TOPIC_PREFIX) -> dict[str, str]:
    """Stream name -> topic name, plus ``deadLetter``."""
    topics = {stream: f"{prefix}{suffix}" for stream, (suffix, _) in EVENT_STREAMS.items()}
    topics["deadLetter"] = f"{prefix}{DEAD_LETTER_SUFFIX}"
    return topics


def value_subject(topic: str) -> str:
    return f"{topic}-value"
