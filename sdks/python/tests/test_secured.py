"""The SDK on the local stack's secured side (docs/security.md), as test/security/*.e2e-spec.ts.

Kafka over its SASL_SSL listener with the principals' SCRAM (and PLAIN) credentials and
the stack's CA, the registry over https with the same CA. The ports, the CA and the
credentials come from infra/lib.sh and ``$SECURE_DIR``, as test/support/secure-stack.ts
reads them. The ACL table is libs/messaging/src/acls.ts itself (printed by node), granted
for this run's topics and groups through the PLAINTEXT listener, whose principal is a
super user, and revoked at the end.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Consumer
# confluent_kafka.admin documents these names but re-exports them without __all__ (mypy --strict).
from confluent_kafka.admin import (  # type: ignore[attr-defined]
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    NewTopic,
    ResourcePatternType,
    ResourceType,
)
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

from vigil import DeliveryFailure, FlushError, VigilClient, VigilSettings
from vigil.topics import SDK_STREAMS, topic_map

from .conftest import Stack
from .test_docs_examples import examples
from .vectors import REPO


def infra_value(expression: str) -> str:
    """A value of infra/lib.sh for the current environment (the scripts stay the one source)."""
    return subprocess.run(
        ["bash", "-c", f'source infra/lib.sh && printf "%s" "{expression}"'],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout


@dataclass(frozen=True)
class SecureStack:
    host: str
    kafka_port: int
    registry_url: str
    ca_file: str
    passwords: dict[str, str] = field(repr=False)

    @property
    def brokers(self) -> str:
        return f"{self.host}:{self.kafka_port}"

    def env(self, principal: str, mechanism: str, prefix: str) -> dict[str, str]:
        """What a service needs to report to the secured side as ``principal`` (docs/sdk-python.md "Secured Kafka")."""
        return {
            "KAFKA_BROKERS": self.brokers,
            "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "KAFKA_SASL_MECHANISM": mechanism,
            "KAFKA_SASL_USERNAME": principal,
            "KAFKA_SASL_PASSWORD": self.passwords[principal],
            "KAFKA_SSL_CA_FILE": self.ca_file,
            "SCHEMA_REGISTRY_URL": self.registry_url,
            "SCHEMA_REGISTRY_CA_FILE": self.ca_file,
            "VIGIL_TOPIC_PREFIX": prefix,
        }

    def settings(self, principal: str, prefix: str, mechanism: str = "SCRAM-SHA-512") -> VigilSettings:
        return VigilSettings.from_env(self.env(principal, mechanism, prefix), client_id=f"pytest-{principal}")


def listening(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def secure() -> SecureStack:
    host = infra_value("$(kafka_host)")
    port = int(infra_value("$KAFKA_SASL_SSL_PORT"))
    if not listening(host, port):
        pytest.skip(
            f"no SASL_SSL listener at {host}:{port}: the running stack predates its secured side; "
            "restart it (npm run infra:down && npm run infra:up)"
        )
    secure_dir = Path(infra_value("$SECURE_DIR"))
    lines = [line.split(" ") for line in (secure_dir / "credentials").read_text().strip().splitlines()]
    return SecureStack(
        host=host,
        kafka_port=port,
        registry_url=infra_value("$(registry_https_url)"),
        ca_file=str(secure_dir / "ca.pem"),
        passwords={name: password for server, name, password in lines if server == "kafka"},
    )


#: The principals these tests act as (libs/messaging/src/acls.ts KAFKA_PRINCIPALS).
PRINCIPALS = ("vigil-producer", "vigil-deployer", "vigil-ingestor")

ACL_TABLE = """
const { principalAcls } = require('@vigil/messaging');
const { topicMap } = require('@vigil/contracts');
const prefix = process.env.ACL_PREFIX, run = process.env.ACL_RUN;
const names = {
  topics: topicMap(prefix), topicPrefix: prefix,
  groups: { ingestor: `${run}-ingestor`, monitor: `${run}-monitor`, orchestrator: `${run}-orchestrator`, trainer: `${run}-trainer` },
  transactionalIds: { orchestrator: `${run}-orchestrator` },
};
console.log(JSON.stringify(process.env.ACL_PRINCIPALS.split(',').flatMap((p) => principalAcls(p, names))));
"""


def acl_table(prefix: str, run: str) -> list[AclBinding]:
    """The entries acls.ts gives PRINCIPALS for ``prefix``'s topics and ``run``'s groups.

    kafkajs and librdkafka number resource types, patterns, operations and permissions
    with the same Kafka protocol codes, so the numbers map one to one.
    """
    printed = subprocess.run(
        ["node", "-r", "ts-node/register/transpile-only", "-r", "tsconfig-paths/register", "-e", ACL_TABLE],
        cwd=REPO, capture_output=True, text=True, check=True,
        env={**os.environ, "ACL_PREFIX": prefix, "ACL_RUN": run, "ACL_PRINCIPALS": ",".join(PRINCIPALS)},
    ).stdout
    return [
        AclBinding(
            ResourceType(e["resourceType"]), e["resourceName"], ResourcePatternType(e["resourcePatternType"]),
            e["principal"], e["host"], AclOperation(e["operation"]), AclPermissionType(e["permissionType"]),
        )
        for e in json.loads(printed)
    ]


@dataclass(frozen=True)
class SecuredRun:
    prefix: str
    ingestor_group: str


@pytest.fixture(scope="module")
def secured(stack: Stack, secure: SecureStack) -> Iterator[SecuredRun]:
    """The SDK's topics under a prefix of this run (deleted by the session's cleanup) and their ACLs."""
    prefix = f"{stack.prefix}secure."
    run = f"{stack.run_id}-secure"
    admin = AdminClient(stack.settings.librdkafka())  # PLAINTEXT: the super user
    topics = topic_map(prefix)
    for future in admin.create_topics([NewTopic(topics[s], 1, 1) for s in SDK_STREAMS], operation_timeout=30).values():
        future.result()
    acls = acl_table(prefix, run)
    for future in admin.create_acls(acls).values():
        future.result()
    yield SecuredRun(prefix, f"{run}-ingestor")
    filters = [AclBindingFilter(a.restype, a.name, a.resource_pattern_type, a.principal, a.host, a.operation, a.permission_type) for a in acls]
    for future in admin.delete_acls(filters).values():
        future.result()


def read_back(secure: SecureStack, run: SecuredRun, stream: str, event_id_field: str, event_id: str) -> dict[str, Any]:
    """The record of ``stream`` whose ``event_id_field`` is ``event_id``, consumed over SASL_SSL as the ingestor."""
    settings = secure.settings("vigil-ingestor", run.prefix)
    registry = SchemaRegistryClient(settings.registry())
    deserializer = AvroDeserializer(registry)
    topic = topic_map(run.prefix)[stream]
    consumer = Consumer(
        {**settings.librdkafka(), "group.id": run.ingestor_group, "auto.offset.reset": "earliest", "enable.auto.commit": False}
    )
    consumer.subscribe([topic])
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            assert message.error() is None, message.error()
            value: dict[str, Any] = deserializer(message.value(), SerializationContext(topic, MessageField.VALUE))
            if value[event_id_field] == event_id:
                return value
    finally:
        consumer.close()
        registry.close()
    raise AssertionError(f"{topic}: no record with {event_id_field} {event_id} in 30 s")


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"])
def test_the_secured_example_lands_over_sasl_ssl(secure: SecureStack, secured: SecuredRun, tmp_path: Path, mechanism: str) -> None:
    (tmp_path / "secured.py").write_text(examples()["secured-kafka"])
    result = subprocess.run(
        [sys.executable, "secured.py"], cwd=tmp_path,
        env={**secure.env("vigil-producer", mechanism, secured.prefix), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    prediction_id = result.stdout.strip().splitlines()[-1]
    prediction = read_back(secure, secured, "predictions", "eventId", prediction_id)
    # The example's values, as written in docs/sdk-python.md.
    assert (prediction["modelId"], prediction["modelVersion"], prediction["predictedClass"]) == ("fraud-detector", "v3", "fraud")
    assert (prediction["numericFeatures"], prediction["scores"]) == ({"amount": 830.0}, {"fraud": pytest.approx(0.91), "legit": pytest.approx(0.09)})
    label = read_back(secure, secured, "labels", "predictionEventId", prediction_id)
    assert (label["modelId"], label["trueClass"]) == ("fraud-detector", "fraud")


def test_a_wrong_password_fails_every_record_at_once_with_the_reason(
    secure: SecureStack, secured: SecuredRun, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = f"not-{secure.passwords['vigil-producer']}"
    settings = replace(secure.settings("vigil-producer", secured.prefix), sasl_password=wrong)
    failures: list[DeliveryFailure] = []
    started = time.monotonic()
    vigil = VigilClient.connect(settings, on_delivery_error=failures.append, flush_at_exit=False)
    prediction_id = vigil.record_prediction(model_id="fraud-detector", model_version="v3", latency_ms=12.5, predicted_class="fraud")
    label_id = vigil.record_label(prediction_event_id=prediction_id, model_id="fraud-detector", true_class="fraud")
    with caplog.at_level(logging.WARNING, logger="vigil"), pytest.raises(FlushError) as raised:
        vigil.flush(timeout=30)
    elapsed = time.monotonic() - started
    vigil.close()

    # librdkafka's text for a SCRAM refusal, after the SDK's "authentication failed: ".
    reason = re.compile(
        rf"authentication failed: sasl_ssl://{re.escape(secure.brokers)}/bootstrap: SASL authentication error: "
        r"Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512"
    )
    assert [f.event_id for f in raised.value.failures] == [prediction_id, label_id]
    assert failures == raised.value.failures
    for failure in failures:
        assert reason.match(failure.error), failure.error
        assert failure.retriable is False
    assert (vigil.stats.delivered, vigil.stats.failed) == (0, 2)
    # The broker refuses the first attempt within about 0.35 s (measured); 10 s is far below
    # message.timeout.ms (300 s), which is how long the records would wait otherwise.
    assert elapsed < 10
    assert "SASL authentication error" in caplog.text
    assert wrong not in caplog.text


def test_a_producer_may_not_announce_deployments_and_a_deployer_may(secure: SecureStack, secured: SecuredRun) -> None:
    """acls.ts: vigil-producer writes predictions and labels only; vigil-deployer writes model-deployed."""
    failures: list[DeliveryFailure] = []
    producer = VigilClient.connect(secure.settings("vigil-producer", secured.prefix), on_delivery_error=failures.append, flush_at_exit=False)
    prediction_id = producer.record_prediction(model_id="fraud-detector", model_version="v3", latency_ms=12.5, predicted_class="fraud")
    deployment_id = producer.record_deployment(model_id="fraud-detector", version="v4")
    with pytest.raises(FlushError):
        producer.flush(timeout=30)
    producer.close()
    assert [(f.event_id, f.topic, f.error, f.retriable) for f in failures] == [
        (deployment_id, topic_map(secured.prefix)["modelDeployed"], "Broker: Topic authorization failed", False)
    ]
    assert (producer.stats.delivered, producer.stats.failed) == (1, 1)
    assert read_back(secure, secured, "predictions", "eventId", prediction_id)["modelVersion"] == "v3"

    deployer = VigilClient.connect(secure.settings("vigil-deployer", secured.prefix), register_schemas=False, flush_at_exit=False)
    deployer.record_deployment(model_id="fraud-detector", version="v4")
    deployer.close()  # raises FlushError had the broker refused it
    assert (deployer.stats.delivered, deployer.stats.failed) == (1, 0)


def test_without_the_ca_the_broker_certificate_is_refused_unless_reject_unauthorized_is_false(
    secure: SecureStack, secured: SecuredRun, caplog: pytest.LogCaptureFixture
) -> None:
    """The stack's CA is in no system trust store: verification fails, and KAFKA_SSL_REJECT_UNAUTHORIZED=false skips it."""
    env = {key: value for key, value in secure.env("vigil-producer", "SCRAM-SHA-512", secured.prefix).items() if key != "KAFKA_SSL_CA_FILE"}
    # 3 s instead of librdkafka's 300 s message.timeout.ms, so that the refused record fails within the test.
    untrusted = VigilSettings.from_env(env, kafka_config={"message.timeout.ms": 3000})
    failures: list[DeliveryFailure] = []
    vigil = VigilClient.connect(untrusted, register_schemas=False, on_delivery_error=failures.append, flush_at_exit=False)
    vigil.record_prediction(model_id="fraud-detector", model_version="v3", latency_ms=12.5, predicted_class="fraud")
    with caplog.at_level(logging.WARNING, logger="vigil"), pytest.raises(FlushError):
        vigil.close(timeout=30)
    assert [f.error for f in failures] == ["Local: Message timed out"]
    assert "certificate verify failed" in caplog.text

    unverified = VigilSettings.from_env({**env, "KAFKA_SSL_REJECT_UNAUTHORIZED": "false"})
    accepted = VigilClient.connect(unverified, register_schemas=False, flush_at_exit=False)
    prediction_id = accepted.record_prediction(model_id="fraud-detector", model_version="v3", latency_ms=12.5, predicted_class="fraud")
    accepted.close()
    assert read_back(secure, secured, "predictions", "eventId", prediction_id)["modelVersion"] == "v3"
