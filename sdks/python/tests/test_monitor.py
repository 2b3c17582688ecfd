"""Events sent from Python, as the real monitor counts them; a training reference uploaded from a DataFrame."""

from __future__ import annotations

import http.server
import json
import threading
from typing import Any

import numpy as np
import pandas as pd
import pytest

from vigil import ReferenceUploadError, VigilClient, upload_reference

from .conftest import API_TOKENS, ServiceProcess, Stack, eventually

# A confusion matrix chosen by hand: (true, predicted) -> count, 200 labelled predictions.
CONFUSION = {("a", "a"): 90, ("a", "b"): 30, ("b", "a"): 20, ("b", "b"): 60}


def f1(cls: str) -> float:
    """scikit-learn's f1_score for one class: 2·tp / (2·tp + fp + fn)."""
    tp = CONFUSION[(cls, cls)]
    fn = sum(n for (t, p), n in CONFUSION.items() if t == cls and p != cls)
    fp = sum(n for (t, p), n in CONFUSION.items() if p == cls and t != cls)
    return 2 * tp / (2 * tp + fp + fn)


def test_the_monitor_s_metrics_for_events_sent_from_python(stack: Stack, monitor: ServiceProcess) -> None:
    model_id = "py-metrics"
    reference = pd.DataFrame(
        {"amount": [float(i % 50) for i in range(120)], "channel": ["web", "app", "shop"] * 40, "prediction": ["a", "b"] * 60}
    )
    answer = upload_reference(monitor.url, model_id, reference, prediction_column="prediction", api_token=API_TOKENS["write"])
    assert answer == {"modelId": model_id, "rows": 120, "columns": ["amount", "channel", "@prediction"]}

    with VigilClient.connect(stack.settings, flush_at_exit=False) as vigil:
        for (true_class, predicted), count in CONFUSION.items():
            for i in range(count):
                prediction_id = vigil.record_prediction(
                    model_id=model_id, model_version="v1", latency_ms=5, predicted_class=predicted,
                    numeric_features={"amount": float(i)}, categorical_features={"channel": "web"},
                )
                vigil.record_label(prediction_event_id=prediction_id, model_id=model_id, true_class=true_class)

    def whole_version() -> dict[str, Any]:
        status, body = monitor.get(f"/models/{model_id}/metrics")
        groups = [g for g in body["groups"] if g["segmentKey"] == ""] if status == 200 else []
        return {"reference": body.get("reference"), **groups[0]} if groups else {}

    group = eventually(whole_version, lambda g: g.get("labelledCount") == 200, 60)
    assert (group["predictionCount"], group["modelVersion"]) == (200, "v1")
    assert group["reference"] == {"source": "registered", "rows": 120}
    # accuracy = (90 + 60) / 200; f1_macro = mean of the per-class F1 (scikit-learn's definitions).
    assert group["metrics"]["accuracy"] == pytest.approx(150 / 200, abs=1e-12)
    assert group["metrics"]["f1_macro"] == pytest.approx((f1("a") + f1("b")) / 2, abs=1e-12)
    assert group["metrics"]["window_labelled"] == 200


def test_a_refused_reference_raises_with_the_monitor_s_message(monitor: ServiceProcess) -> None:
    with pytest.raises(ReferenceUploadError, match=r"answered 400: send \{\"rows\"") as raised:
        upload_reference(monitor.url, "py-empty-reference", pd.DataFrame({"amount": []}), api_token=API_TOKENS["write"])
    assert raised.value.status == 400


def test_the_reference_request_carries_the_token_and_json_cells() -> None:
    """What upload_reference sends, seen by a local HTTP server standing in for a monitor behind bearer-token auth."""
    seen: dict[str, Any] = {}

    class Monitor(http.server.BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            seen.update(path=self.path, authorization=self.headers.get("authorization"))
            seen["body"] = json.loads(self.rfile.read(int(self.headers["content-length"])))
            answer = json.dumps({"modelId": "m", "rows": 2, "columns": []}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Monitor)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        frame = pd.DataFrame({"amount": [1.5, float("nan")], "count": [np.int64(3), np.int64(4)], "label": ["yes", "no"]})
        upload_reference(f"http://127.0.0.1:{server.server_address[1]}", "card fraud/eu", frame, prediction_column="label", api_token="tok-123")
    finally:
        server.shutdown()
        server.server_close()
    assert seen == {
        "path": "/models/card%20fraud%2Feu/reference",
        "authorization": "Bearer tok-123",
        # NaN is an empty cell (null), numpy integers plain numbers, the prediction column renamed.
        "body": {"rows": [{"amount": 1.5, "count": 3, "@prediction": "yes"}, {"amount": None, "count": 4, "@prediction": "no"}]},
    }
