"""An asyncio-friendly client: connect, flush and close run in a worker thread.

``record_*`` are the synchronous client's calls: they never wait on the network, so an
event loop can call them directly.
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional

from .client import VigilClient
from .settings import VigilSettings


class AsyncVigilClient:
    def __init__(self, client: VigilClient) -> None:
        self.sync = client
        self.record_prediction = client.record_prediction
        self.record_predictions = client.record_predictions
        self.record_label = client.record_label
        self.record_labels = client.record_labels
        self.record_deployment = client.record_deployment
        self.record_retrain_completed = client.record_retrain_completed

    @classmethod
    async def connect(cls, settings: Optional[VigilSettings] = None, **options: Any) -> "AsyncVigilClient":
        """``VigilClient.connect`` (registry look-ups) without blocking the event loop."""
        return cls(await asyncio.to_thread(VigilClient.connect, settings, **options))

    async def flush(self, timeout: float = 30.0) -> None:
        await asyncio.to_thread(self.sync.flush, timeout)

    async def close(self, timeout: float = 30.0) -> None:
        await asyncio.to_thread(self.sync.close, timeout)

    async def __aenter__(self) -> "AsyncVigilClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
