"""What happens to a record after ``record_*`` returned: delivered, or reported as failed."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

log = logging.getLogger("vigil")


@dataclass(frozen=True)
class DeliveryFailure:
    """A record that was validated and queued but did not reach the broker."""

    event_id: str
    topic: str
    model_id: str
    error: str
    retriable: bool


@dataclass(frozen=True)
class DeliveryStats:
    """Counters since the client was created."""

    queued: int
    delivered: int
    failed: int

    @property
    def pending(self) -> int:
        return self.queued - self.delivered - self.failed


class FlushError(RuntimeError):
    """``flush``/``close`` could not confirm every record: some failed or the timeout passed."""

    def __init__(self, message: str, failures: Sequence[DeliveryFailure], undelivered: int) -> None:
        super().__init__(message)
        self.failures = list(failures)
        self.undelivered = undelivered


class ClientClosedError(RuntimeError):
    def __init__(self) -> None:
        super().__init__("the Vigil client is closed")


def log_failure(failure: DeliveryFailure) -> None:
    """The default ``on_delivery_error``: a warning on the ``vigil`` logger."""
    log.warning(
        "vigil: record not delivered",
        extra={"event_id": failure.event_id, "topic": failure.topic, "model_id": failure.model_id, "error": failure.error},
    )
