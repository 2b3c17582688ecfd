"""Schema ids of the SDK's streams, resolved without ever creating a duplicate version.

Each subject is first looked up with the exact text the TypeScript side registers
(``registered_text``); only a subject that does not hold it yet is registered, with the
BACKWARD compatibility Vigil's services set (libs/messaging/src/schema-registry.ts).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

from .schemas import registered_text
from .topics import EVENT_STREAMS, value_subject

#: Two services registering the same new subject at once race on its compatibility for milliseconds.
RACE_ATTEMPTS = 5


class SchemaNotRegisteredError(LookupError):
    """``register_schemas=False`` and a subject does not hold the SDK's schema."""


def resolve_schemas(
    registry: SchemaRegistryClient, topics: dict[str, str], streams: Iterable[str], register: bool
) -> dict[str, Schema]:
    """Each stream's schema, now known to ``registry``'s cache under its subject.

    Serializers built with these very objects find them in that cache, so encoding a
    record never asks the registry anything.
    """
    schemas = {}
    for stream in streams:
        schemas[stream] = Schema(registered_text(EVENT_STREAMS[stream][1]), "AVRO")
        resolve_schema_id(registry, topics[stream], schemas[stream], register)
    return schemas


def resolve_schema_id(registry: SchemaRegistryClient, topic: str, schema: Schema, register: bool) -> int:
    subject = value_subject(topic)
    attempt = 0
    while True:
        attempt += 1
        try:
            found = registry.lookup_schema(subject, schema).schema_id
            if found is not None:
                return found
        except SchemaRegistryError as error:
            if error.http_status_code != 404:
                raise
        if not register:
            raise SchemaNotRegisteredError(f"{subject}: the registry does not hold Vigil's schema for it (register_schemas=False)")
        try:
            new_subject = _subject_is_new(registry, subject)
            schema_id = registry.register_schema(subject, schema)
            if new_subject:
                registry.set_compatibility(subject, "BACKWARD")
            return schema_id
        except SchemaRegistryError as error:
            if error.http_status_code != 409 or attempt == RACE_ATTEMPTS:
                raise
            time.sleep(0.1 * attempt)


def _subject_is_new(registry: SchemaRegistryClient, subject: str) -> bool:
    try:
        registry.get_versions(subject)
        return False
    except SchemaRegistryError as error:
        if error.http_status_code == 404:
            return True
        raise
