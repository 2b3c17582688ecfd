"""record_* never waits on the network; what fails later reaches the callback, the counters and flush()."""

from __future__ import annotations

import asyncio
import http.server
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import replace
from typing import Any

import pytest

from vigil import AsyncVigilClient, ClientClosedError, DeliveryFailure, FlushError, RowValidationError, ValidationError, VigilClient

from .conftest import Stack, free_port


def test_an_unreachable_broker_costs_the_caller_nothing_and_failures_are_reported(stack: Stack) -> None:
    # Nothing listens on a port just released; records expire after 1 s instead of librdkafka's 300 s.
    dead = replace(
        stack.settings,
        brokers=f"127.0.0.1:{free_port()}",
        topic_prefix=f"{stack.prefix}dead.",
        kafka_config={"message.timeout.ms": 1000},
    )
    failures: list[DeliveryFailure] = []
    vigil = VigilClient.connect(dead, on_delivery_error=failures.append, flush_at_exit=False)
    started = time.perf_counter()
    event_ids = [vigil.record_prediction(model_id="py-dead", model_version="v1", latency_ms=1, predicted_class="a") for _ in range(100)]
    elapsed = time.perf_counter() - started
    # 100 calls without a broker: well under the 1 s a single wait for the network would take.
    assert elapsed < 0.5
    assert vigil.stats.pending == 100

    with pytest.raises(FlushError) as raised:
        vigil.flush(timeout=10)
    assert sorted(f.event_id for f in raised.value.failures) == sorted(event_ids)
    assert sorted(f.event_id for f in failures) == sorted(event_ids)
    assert {(f.topic, f.model_id) for f in failures} == {(f"{stack.prefix}dead.predictions", "py-dead")}
    assert all("timed out" in f.error.lower() for f in failures), failures[0].error
    assert (vigil.stats.queued, vigil.stats.delivered, vigil.stats.failed) == (100, 0, 100)
    vigil.close()  # the failures were already reported by flush: close has nothing left to raise
    with pytest.raises(ClientClosedError):
        vigil.record_label(prediction_event_id=event_ids[0], model_id="py-dead", true_class="a")


def test_a_refused_record_raises_and_queues_nothing(stack: Stack) -> None:
    with VigilClient.connect(stack.settings, flush_at_exit=False) as vigil:
        with pytest.raises(ValidationError, match="^latencyMs: -1 is outside 0 .. 86400000$") as raised:
            vigil.record_prediction(model_id="py-refused", model_version="v1", latency_ms=-1, predicted_class="a")
        assert raised.value.field == "latencyMs"
        rows: list[dict[str, Any]] = [{"latency_ms": 1.0, "predicted_class": "a"}, {"latency_ms": 2.0, "predicted_class": None}]
        with pytest.raises(RowValidationError, match="^row 1: predictedClass: is required$") as row_error:
            vigil.record_predictions(rows, model_id="py-refused", model_version="v1")
        assert (row_error.value.row, row_error.value.field) == (1, "predictedClass")
        # The valid row 0 was not sent either: a batch is validated whole before anything is queued.
        assert vigil.stats.queued == 0


def test_records_left_unflushed_are_sent_at_exit(stack: Stack) -> None:
    event_id = f"exit-{secrets.token_hex(4)}"
    script = (
        "from vigil import VigilClient;"
        "vigil = VigilClient.connect(kafka_config={'linger.ms': 10000});"
        f"vigil.record_prediction(model_id='py-exit', model_version='v1', latency_ms=1, predicted_class='a', event_id='{event_id}')"
    )
    # linger.ms of 10 s: without the flush at exit the record would still be waiting when the process ends.
    env = {**stack.env(), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=60)
    seen = stack.consume(f"{stack.prefix}predictions", lambda records: any(v["eventId"] == event_id for _, v in records))
    assert [key for key, v in seen if v["eventId"] == event_id] == [b"py-exit"]


def test_a_sigterm_flushes_before_the_process_ends(stack: Stack) -> None:
    event_id = f"sigterm-{secrets.token_hex(4)}"
    script = (
        "import time\n"
        "from vigil import VigilClient\n"
        "vigil = VigilClient.connect(flush_on_signals=True, kafka_config={'linger.ms': 10000})\n"
        f"vigil.record_prediction(model_id='py-sigterm', model_version='v1', latency_ms=1, predicted_class='a', event_id='{event_id}')\n"
        "print('recorded', flush=True)\n"
        "time.sleep(60)\n"
    )
    with subprocess.Popen([sys.executable, "-c", script], env={**stack.env(), "PATH": "/usr/bin:/bin"}, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None and child.stdout.readline().strip() == "recorded"
        child.send_signal(signal.SIGTERM)
        # Ended by the signal's default action after the flush, not by the 60 s sleep.
        assert child.wait(timeout=30) == -signal.SIGTERM
    seen = stack.consume(f"{stack.prefix}predictions", lambda records: any(v["eventId"] == event_id for _, v in records))
    assert [key for key, v in seen if v["eventId"] == event_id] == [b"py-sigterm"]


def test_the_asyncio_client(stack: Stack) -> None:
    async def scenario() -> str:
        async with await AsyncVigilClient.connect(stack.settings, flush_at_exit=False) as vigil:
            event_id = vigil.record_prediction(model_id="py-async", model_version="v1", latency_ms=1, predicted_value=2.5)
            await vigil.flush()
            assert vigil.sync.stats.delivered == 1
            return event_id

    event_id = asyncio.run(scenario())
    seen = stack.consume(f"{stack.prefix}predictions", lambda records: any(v["eventId"] == event_id for _, v in records))
    assert [v["task"] for _, v in seen if v["eventId"] == event_id] == ["REGRESSION"]


class _RegistryProxy(http.server.ThreadingHTTPServer):
    """Forwards to the real registry until shut down: then the registry is unreachable."""

    def __init__(self, target: str) -> None:
        target_url = target.rstrip("/")

        class Forward(http.server.BaseHTTPRequestHandler):
            def _forward(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                request = urllib.request.Request(
                    f"{target_url}{self.path}",
                    data=self.rfile.read(length) if length else None,
                    headers={k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")},
                    method=self.command,
                )
                try:
                    with urllib.request.urlopen(request, timeout=10) as answer:
                        status, body, kind = answer.status, answer.read(), answer.headers.get("content-type", "")
                except urllib.error.HTTPError as error:
                    status, body, kind = error.code, error.read(), error.headers.get("content-type", "")
                self.send_response(status)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _forward

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Forward)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/apis/ccompat/v7"


def test_record_calls_never_ask_the_registry(stack: Stack) -> None:
    # Connect through a proxy, then take the registry away: every stream's first record must still go out.
    proxy = _RegistryProxy(stack.settings.schema_registry_url.removesuffix("/apis/ccompat/v7"))
    serving = threading.Thread(target=proxy.serve_forever, daemon=True)
    serving.start()
    try:
        vigil = VigilClient.connect(replace(stack.settings, schema_registry_url=proxy.url), flush_at_exit=False)
    finally:
        proxy.shutdown()
        proxy.server_close()
    with vigil:
        prediction_id = vigil.record_prediction(model_id="py-no-registry", model_version="v1", latency_ms=1, predicted_class="a")
        vigil.record_label(prediction_event_id=prediction_id, model_id="py-no-registry", true_class="a")
        vigil.record_deployment(model_id="py-no-registry", version="v1", reason="initial")
        vigil.record_retrain_completed(model_id="py-no-registry", new_version="v2", succeeded=False)
        vigil.flush()
    assert (vigil.stats.delivered, vigil.stats.failed) == (4, 0)
