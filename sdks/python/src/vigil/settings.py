"""Connection settings, read from the same environment variables as Vigil's services.

Kafka and the registry take SASL/TLS settings under the TypeScript side's names; anything
else librdkafka understands goes through ``kafka_config`` unchanged (and wins).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Optional

from .topics import DEFAULT_TOPIC_PREFIX

SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


class ConfigurationError(ValueError):
    """A setting has a value Vigil cannot use; the message names the variable."""


@dataclass(frozen=True)
class VigilSettings:
    brokers: str = "127.0.0.1:9092"
    schema_registry_url: str = "http://127.0.0.1:8081/apis/ccompat/v7"
    schema_registry_user: Optional[str] = None
    schema_registry_password: Optional[str] = field(default=None, repr=False)
    schema_registry_ca_file: Optional[str] = None
    topic_prefix: str = DEFAULT_TOPIC_PREFIX
    client_id: str = "vigil-sdk"
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: Optional[str] = None
    sasl_username: Optional[str] = None
    sasl_password: Optional[str] = field(default=None, repr=False)
    ssl_ca_file: Optional[str] = None
    ssl_cert_file: Optional[str] = None
    ssl_key_file: Optional[str] = None
    #: False accepts any broker certificate (never in production), as the services' setting.
    ssl_reject_unauthorized: bool = True
    #: Raw librdkafka settings, applied last (e.g. {"linger.ms": 50}).
    kafka_config: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None, **overrides: Any) -> "VigilSettings":
        """Settings from ``KAFKA_BROKERS``, ``SCHEMA_REGISTRY_URL``, ``VIGIL_TOPIC_PREFIX``... (defaults as the services')."""
        source = os.environ if env is None else env

        def read(name: str) -> Optional[str]:
            value = source.get(name)
            return value if value else None

        defaults = cls()
        settings = cls(
            brokers=read("KAFKA_BROKERS") or defaults.brokers,
            schema_registry_url=read("SCHEMA_REGISTRY_URL") or defaults.schema_registry_url,
            schema_registry_user=read("SCHEMA_REGISTRY_USER"),
            schema_registry_password=read("SCHEMA_REGISTRY_PASSWORD"),
            schema_registry_ca_file=read("SCHEMA_REGISTRY_CA_FILE"),
            topic_prefix=source.get("VIGIL_TOPIC_PREFIX", defaults.topic_prefix),
            security_protocol=read("KAFKA_SECURITY_PROTOCOL") or defaults.security_protocol,
            sasl_mechanism=read("KAFKA_SASL_MECHANISM"),
            sasl_username=read("KAFKA_SASL_USERNAME"),
            sasl_password=read("KAFKA_SASL_PASSWORD"),
            ssl_ca_file=read("KAFKA_SSL_CA_FILE"),
            ssl_cert_file=read("KAFKA_SSL_CERT_FILE"),
            ssl_key_file=read("KAFKA_SSL_KEY_FILE"),
            ssl_reject_unauthorized=_boolean("KAFKA_SSL_REJECT_UNAUTHORIZED", read("KAFKA_SSL_REJECT_UNAUTHORIZED"), defaults.ssl_reject_unauthorized),
        )
        return replace(settings, **overrides)

    def librdkafka(self) -> dict[str, Any]:
        """The librdkafka configuration common to producers and consumers."""
        protocol = self.security_protocol.upper()
        if protocol not in SECURITY_PROTOCOLS:
            raise ConfigurationError(f"KAFKA_SECURITY_PROTOCOL: must be one of {', '.join(SECURITY_PROTOCOLS)}, got {self.security_protocol}")
        conf: dict[str, Any] = {"bootstrap.servers": self.brokers, "client.id": self.client_id, "security.protocol": protocol}
        if protocol.startswith("SASL_"):
            mechanism = (self.sasl_mechanism or "").upper()
            if mechanism not in SASL_MECHANISMS:
                raise ConfigurationError(f"KAFKA_SASL_MECHANISM: must be one of {', '.join(SASL_MECHANISMS)} with {protocol}, got {self.sasl_mechanism}")
            if not self.sasl_username or self.sasl_password is None:
                raise ConfigurationError(f"KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD: required with {protocol}")
            conf.update({"sasl.mechanism": mechanism, "sasl.username": self.sasl_username, "sasl.password": self.sasl_password})
        if protocol in ("SSL", "SASL_SSL"):
            if self.ssl_ca_file:
                conf["ssl.ca.location"] = self.ssl_ca_file
            if bool(self.ssl_cert_file) != bool(self.ssl_key_file):
                raise ConfigurationError("KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE: set both or neither")
            if self.ssl_cert_file:
                conf["ssl.certificate.location"] = self.ssl_cert_file
                conf["ssl.key.location"] = self.ssl_key_file
            if not self.ssl_reject_unauthorized:
                conf["enable.ssl.certificate.verification"] = False
        conf.update(self.kafka_config)
        return conf

    def registry(self) -> dict[str, Any]:
        """The configuration of confluent_kafka's SchemaRegistryClient."""
        conf: dict[str, Any] = {"url": self.schema_registry_url}
        if self.schema_registry_user:
            conf["basic.auth.user.info"] = f"{self.schema_registry_user}:{self.schema_registry_password or ''}"
        if self.schema_registry_ca_file:
            conf["ssl.ca.location"] = self.schema_registry_ca_file
        return conf


def _boolean(name: str, value: Optional[str], default: bool) -> bool:
    """``true``/``false`` in any case, as the services' Joi.boolean() takes them."""
    if value is None:
        return default
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ConfigurationError(f"{name}: must be true or false, got {value}")


def resolve_settings(settings: Optional[VigilSettings], overrides: Mapping[str, Any]) -> VigilSettings:
    """``settings`` (default: from the environment) with single fields replaced by ``overrides``."""
    return replace(VigilSettings.from_env() if settings is None else settings, **overrides)
