"""Vigil's Python SDK: report predictions, labels and model lifecycle events, and act on Vigil's requests."""

from .aio import AsyncVigilClient
from .batch import ReferenceUploadError, RowValidationError, upload_reference
from .client import VigilClient
from .delivery import ClientClosedError, DeliveryFailure, DeliveryStats, FlushError
from .events import EventDefaults
from .lifecycle import Evidence, LifecycleRequests, RetrainRequested, RollbackRequested
from .registry import SchemaNotRegisteredError
from .settings import ConfigurationError, VigilSettings
from .topics import topic_map
from .validation import ValidationError

__all__ = [
    "AsyncVigilClient",
    "ClientClosedError",
    "ConfigurationError",
    "DeliveryFailure",
    "DeliveryStats",
    "EventDefaults",
    "Evidence",
    "FlushError",
    "LifecycleRequests",
    "ReferenceUploadError",
    "RetrainRequested",
    "RollbackRequested",
    "RowValidationError",
    "SchemaNotRegisteredError",
    "ValidationError",
    "VigilClient",
    "VigilSettings",
    "topic_map",
    "upload_reference",
]
