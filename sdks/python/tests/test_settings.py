"""Settings from the services' environment variables, as librdkafka and registry configuration."""

from __future__ import annotations

import pytest

from vigil import ConfigurationError, VigilSettings


def test_defaults_are_the_services_defaults() -> None:
    settings = VigilSettings.from_env({})
    assert settings.librdkafka() == {"bootstrap.servers": "127.0.0.1:9092", "client.id": "vigil-sdk", "security.protocol": "PLAINTEXT"}
    assert settings.registry() == {"url": "http://127.0.0.1:8081/apis/ccompat/v7"}
    assert settings.topic_prefix == "vigil."


def test_sasl_ssl_with_a_client_certificate_and_a_tls_registry() -> None:
    settings = VigilSettings.from_env(
        {
            "KAFKA_BROKERS": "kafka-1:9093,kafka-2:9093",
            "KAFKA_SECURITY_PROTOCOL": "sasl_ssl",
            "KAFKA_SASL_MECHANISM": "scram-sha-512",
            "KAFKA_SASL_USERNAME": "svc",
            "KAFKA_SASL_PASSWORD": "s3cret",
            "KAFKA_SSL_CA_FILE": "/etc/vigil/ca.pem",
            "KAFKA_SSL_CERT_FILE": "/etc/vigil/client.pem",
            "KAFKA_SSL_KEY_FILE": "/etc/vigil/client.key",
            "SCHEMA_REGISTRY_URL": "https://registry:8443/apis/ccompat/v7",
            "SCHEMA_REGISTRY_USER": "reader",
            "SCHEMA_REGISTRY_PASSWORD": "pw",
            "SCHEMA_REGISTRY_CA_FILE": "/etc/vigil/registry-ca.pem",
            "VIGIL_TOPIC_PREFIX": "prod.",
        },
        kafka_config={"linger.ms": 50},
    )
    assert settings.librdkafka() == {
        "bootstrap.servers": "kafka-1:9093,kafka-2:9093",
        "client.id": "vigil-sdk",
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "svc",
        "sasl.password": "s3cret",
        "ssl.ca.location": "/etc/vigil/ca.pem",
        "ssl.certificate.location": "/etc/vigil/client.pem",
        "ssl.key.location": "/etc/vigil/client.key",
        "linger.ms": 50,
    }
    assert settings.registry() == {
        "url": "https://registry:8443/apis/ccompat/v7",
        "basic.auth.user.info": "reader:pw",
        "ssl.ca.location": "/etc/vigil/registry-ca.pem",
    }
    assert settings.topic_prefix == "prod."
    # Secrets stay out of logs and tracebacks that print the settings.
    assert "s3cret" not in repr(settings) and "pw'" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KAFKA_SECURITY_PROTOCOL": "TLS"}, "KAFKA_SECURITY_PROTOCOL: must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got TLS"),
        ({"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_MECHANISM": "GSSAPI"}, "KAFKA_SASL_MECHANISM: must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 with SASL_SSL, got GSSAPI"),
        ({"KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "KAFKA_SASL_MECHANISM": "PLAIN"}, "KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD: required with SASL_PLAINTEXT"),
        ({"KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_SSL_CERT_FILE": "/c.pem"}, "KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE: set both or neither"),
    ],
)
def test_a_wrong_setting_names_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        VigilSettings.from_env(env).librdkafka()
    assert str(raised.value) == message


@pytest.mark.parametrize(("value", "verification"), [("false", {"enable.ssl.certificate.verification": False}), ("FALSE", {"enable.ssl.certificate.verification": False}), ("true", {}), ("", {})])
def test_reject_unauthorized_false_turns_certificate_verification_off(value: str, verification: dict[str, bool]) -> None:
    settings = VigilSettings.from_env({"KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_SSL_REJECT_UNAUTHORIZED": value})
    assert settings.librdkafka() == {"bootstrap.servers": "127.0.0.1:9092", "client.id": "vigil-sdk", "security.protocol": "SSL", **verification}


def test_reject_unauthorized_takes_only_true_or_false() -> None:
    with pytest.raises(ConfigurationError) as raised:
        VigilSettings.from_env({"KAFKA_SSL_REJECT_UNAUTHORIZED": "no"})
    assert str(raised.value) == "KAFKA_SSL_REJECT_UNAUTHORIZED: must be true or false, got no"
