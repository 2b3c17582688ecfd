"""The real stack for the Python SDK's tests, like test/support/stack.ts and service-process.ts.

Kafka, the registry and ClickHouse are the running shared stack (the usual environment
variables, defaults as README "Configuration"). Each test run has its own topic prefix and
ClickHouse database, and deletes its topics, subjects and database at the end. Vigil's
services run as real child processes (`node -r ts-node/register/transpile-only ...`).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, TypeVar

import pytest
from confluent_kafka import Consumer
from confluent_kafka.admin import AdminClient
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

from vigil import VigilSettings

from .vectors import REPO

T = TypeVar("T")


def eventually(probe: Callable[[], T], done: Callable[[T], bool], timeout: float = 30.0, every: float = 0.2) -> T:
    """Polls ``probe`` until ``done`` accepts its value; fails with the last value after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    last = probe()
    while not done(last):
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met in {timeout} s; last value {last!r}")
        time.sleep(every)
        last = probe()
    return last


#: The API tokens every service under test is started with (fresh per run, as test/support/api-tokens.ts):
#: the services get only their SHA-256 digests (VIGIL_API_TOKENS), the tests present the tokens.
API_TOKENS = {"write": secrets.token_hex(24), "read": secrets.token_hex(24)}


def api_tokens_variable() -> str:
    return json.dumps(
        [{"name": f"pytest-{role}", "role": role, "sha256": hashlib.sha256(token.encode()).hexdigest()} for role, token in API_TOKENS.items()]
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Stack:
    """The shared stack's addresses with this run's prefix and database."""

    run_id: str
    settings: VigilSettings
    clickhouse_url: str
    clickhouse_user: str
    clickhouse_password: str = field(repr=False)
    database: str
    _registry: Optional[SchemaRegistryClient] = None

    @property
    def prefix(self) -> str:
        return self.settings.topic_prefix

    def env(self, **extra: str) -> dict[str, str]:
        """What a Vigil service (or an example script) needs to reach this run's stack."""
        return {
            "KAFKA_BROKERS": self.settings.brokers,
            "SCHEMA_REGISTRY_URL": self.settings.schema_registry_url,
            "CLICKHOUSE_URL": self.clickhouse_url,
            "CLICKHOUSE_USER": self.clickhouse_user,
            "CLICKHOUSE_PASSWORD": self.clickhouse_password,
            "CLICKHOUSE_DATABASE": self.database,
            "VIGIL_TOPIC_PREFIX": self.prefix,
            "LOG_LEVEL": "warn",
            **extra,
        }

    def query(self, sql: str, database: Optional[str] = None) -> list[dict[str, Any]]:
        """Rows of a SELECT, through ClickHouse's HTTP interface (64-bit integers as numbers)."""
        params = urllib.parse.urlencode({"database": database or self.database, "output_format_json_quote_64bit_integers": 0})
        request = urllib.request.Request(
            f"{self.clickhouse_url}/?{params}",
            data=f"{sql} FORMAT JSONEachRow".encode(),
            headers={"X-ClickHouse-User": self.clickhouse_user, "X-ClickHouse-Key": self.clickhouse_password},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return [json.loads(line) for line in response.read().decode().splitlines() if line]

    def command(self, sql: str) -> None:
        request = urllib.request.Request(
            self.clickhouse_url,
            data=sql.encode(),
            headers={"X-ClickHouse-User": self.clickhouse_user, "X-ClickHouse-Key": self.clickhouse_password},
        )
        urllib.request.urlopen(request, timeout=30).close()

    def registry(self) -> SchemaRegistryClient:
        """One registry client for the run, closed by the cleanup."""
        if self._registry is None:
            self._registry = SchemaRegistryClient(self.settings.registry())
        return self._registry

    def consume(
        self, topic: str, enough: Callable[[list[tuple[Optional[bytes], dict[str, Any]]]], bool], timeout: float = 30.0
    ) -> list[tuple[Optional[bytes], dict[str, Any]]]:
        """(key, decoded value) of ``topic``'s records from the start, until ``enough`` accepts them."""
        deserializer = AvroDeserializer(self.registry())
        consumer = Consumer(
            {
                **self.settings.librdkafka(),
                "group.id": f"pytest-{self.run_id}-{secrets.token_hex(3)}",
                "auto.offset.reset": "earliest",
                "enable.auto.commit": False,
            }
        )
        consumer.subscribe([topic])
        out: list[tuple[Optional[bytes], dict[str, Any]]] = []
        deadline = time.monotonic() + timeout
        try:
            while not enough(out):
                if time.monotonic() > deadline:
                    raise AssertionError(f"{topic}: not enough records in {timeout} s; got {len(out)}")
                message = consumer.poll(0.5)
                if message is None or message.error():
                    continue
                out.append((message.key(), deserializer(message.value(), SerializationContext(topic, MessageField.VALUE))))
        finally:
            consumer.close()
        return out


@dataclass
class ServiceProcess:
    """A Vigil service as a child process; its output is kept for failure messages."""

    app: str
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    process: Optional[subprocess.Popen[bytes]] = None
    log: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> "ServiceProcess":
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is not on PATH; the Python SDK's tests run Vigil's services")
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [node, "-r", "ts-node/register/transpile-only", "-r", "tsconfig-paths/register", f"apps/{self.app}/src/main.ts"],
            cwd=REPO,
            env={**os.environ, **self.env, "HTTP_PORT": str(self.port)},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        status = eventually(self._health, lambda s: s == 200 or s == -1, timeout, every=0.5)
        if status == -1:
            raise RuntimeError(f"{self.app} exited with {self.process.returncode}:\n{self.output()}")
        return self

    def _health(self) -> int:
        assert self.process is not None
        if self.process.poll() is not None:
            return -1
        try:
            with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                # The answer must come from our child, not from whatever else holds the port.
                body = json.loads(response.read())
                return response.status if isinstance(body, dict) and "status" in body else 0
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return 0

    def output(self) -> str:
        if self.log is None:
            return ""
        self.log.seek(0)
        return str(self.log.read()[-20_000:].decode(errors="replace"))

    def get(self, path: str) -> tuple[int, Any]:
        try:
            request = urllib.request.Request(f"{self.url}{path}", headers={"authorization": f"Bearer {API_TOKENS['read']}"})
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log is not None:
            self.log.close()


def _cleanup(stack: Stack) -> None:
    admin = AdminClient(stack.settings.librdkafka())
    topics = [t for t in admin.list_topics(timeout=10).topics if t.startswith(stack.prefix)]
    if topics:
        for future in admin.delete_topics(topics, operation_timeout=30).values():
            future.result()
    registry = stack.registry()
    for subject in registry.get_subjects():
        if subject.startswith(stack.prefix):
            try:
                registry.delete_subject(subject)
                registry.delete_subject(subject, permanent=True)
            except SchemaRegistryError:
                pass  # another cleanup or a registry without hard deletes: the subject is gone or harmless
    registry.close()
    stack.command(f"DROP DATABASE IF EXISTS {stack.database}")


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    run_id = f"py_{secrets.token_hex(4)}"
    settings = VigilSettings.from_env(topic_prefix=f"test.{run_id}.", client_id=f"pytest-{run_id}")
    value = Stack(
        run_id=run_id,
        settings=settings,
        clickhouse_url=os.environ.get("CLICKHOUSE_URL", "http://127.0.0.1:8123"),
        clickhouse_user=os.environ.get("CLICKHOUSE_USER", "default"),
        clickhouse_password=os.environ.get("CLICKHOUSE_PASSWORD", ""),
        database=f"vigil_test_{run_id}",
    )
    yield value
    _cleanup(value)


def _service(stack: Stack, app: str, **extra: str) -> Iterator[ServiceProcess]:
    service = ServiceProcess(app, stack.env(VIGIL_API_TOKENS=api_tokens_variable(), **extra))
    try:
        yield service.start()
    finally:
        service.stop()


@pytest.fixture(scope="session")
def ingestor(stack: Stack) -> Iterator[ServiceProcess]:
    yield from _service(stack, "ingestor", INGESTOR_GROUP_ID=f"ingestor-{stack.run_id}", VIGIL_TOPIC_PARTITIONS="2")


@pytest.fixture(scope="session")
def monitor(stack: Stack, ingestor: ServiceProcess) -> Iterator[ServiceProcess]:
    """Settings as test/e2e/support.ts `monitorSettings` (verdicts in seconds; reasons there).

    Started after the ingestor so that the two never run the ClickHouse migrations at once.
    """
    yield from _service(
        stack,
        "monitor",
        MONITOR_GROUP_ID=f"monitor-{stack.run_id}",
        MONITOR_SNAPSHOT_INTERVAL_MS="500",
        MONITOR_CHECKPOINT_INTERVAL_MS="1000",
        MONITOR_METRIC_WINDOW="300",
        MONITOR_MIN_LABELS="150",
        VIGIL_TOPIC_PARTITIONS="2",
    )


#: Accuracy below which the orchestrator counts a snapshot as CRITICAL (test/e2e/support.ts ACCURACY_FLOOR).
ACCURACY_FLOOR = 0.78


@pytest.fixture(scope="session")
def orchestrator(stack: Stack, monitor: ServiceProcess) -> Iterator[ServiceProcess]:
    """Policy as test/e2e/support.ts `writePolicies`: 3 snapshots under the 0.78 floor with ≥ 150 labels."""
    with tempfile.TemporaryDirectory(prefix="vigil-pytest-") as directory:
        policies = Path(directory) / "policies.json"
        policies.write_text(
            json.dumps(
                {
                    "defaults": {
                        "retrain": {
                            "performance": {
                                "kinds": ["PERFORMANCE"],
                                "consecutiveCritical": 3,
                                "accuracyFloor": ACCURACY_FLOOR,
                                "minSampleSize": 150,
                            }
                        }
                    }
                }
            )
        )
        service_run = _service(
            stack,
            "orchestrator",
            ORCHESTRATOR_POLICIES=str(policies),
            ORCHESTRATOR_GROUP_ID=f"orchestrator-{stack.run_id}",
            ORCHESTRATOR_TRANSACTIONAL_ID=f"orchestrator-{stack.run_id}",
            ORCHESTRATOR_SESSION_TIMEOUT_MS="6000",
            VIGIL_TOPIC_PARTITIONS="2",
        )
        service = next(service_run)
        eventually(
            lambda: (service.get("/health")[1] or {}).get("details", {}).get("kafka", {}).get("consumer"),
            lambda status: status == "running",
            60,
        )
        yield service
        next(service_run, None)
