"""A full retrain loop driven from Python: traffic → monitor → orchestrator → RetrainRequested →
the Python pipeline's RetrainCompleted and deployment → the incident closed, v2 champion."""

from __future__ import annotations

import time

from vigil import LifecycleRequests, RetrainRequested, VigilClient

from .conftest import ACCURACY_FLOOR, ServiceProcess, Stack, eventually


def test_a_python_pipeline_answers_a_retrain_request(stack: Stack, monitor: ServiceProcess, orchestrator: ServiceProcess) -> None:
    model_id = "py-retrain"
    with VigilClient.connect(stack.settings, flush_at_exit=False) as vigil, LifecycleRequests(
        f"pipeline-{stack.run_id}", stack.settings
    ) as requests:
        vigil.record_deployment(model_id=model_id, version="v1", reason="initial")
        vigil.flush()
        eventually(lambda: orchestrator.get(f"/models/{model_id}"), lambda a: a[0] == 200 and a[1]["champion"]["version"] == "v1", 60)

        # Half right, half wrong: accuracy 0.5, under the 0.78 floor in every snapshot once
        # 150 labels are in (the policy's minSampleSize); three in a row make the request.
        request = None
        deadline = time.monotonic() + 90
        sent = 0
        while request is None and time.monotonic() < deadline:
            for i in range(20):
                prediction_id = vigil.record_prediction(model_id=model_id, model_version="v1", latency_ms=3, predicted_class="a")
                vigil.record_label(prediction_event_id=prediction_id, model_id=model_id, true_class="a" if i % 2 == 0 else "b")
            sent += 20
            request = requests.poll(0.1)
        assert isinstance(request, RetrainRequested), f"no RetrainRequested after {sent} labelled predictions"

        assert (request.model_id, request.model_version, request.policy) == (model_id, "v1", "builtin+file:defaults")
        assert request.incident_id.startswith("inc-")
        assert "3 consecutive CRITICAL" in request.reason
        assert len(request.evidence) >= 3
        for evidence in request.evidence:
            assert evidence.metric == "accuracy"
            assert evidence.threshold is not None and evidence.value < evidence.threshold <= ACCURACY_FLOOR + 0.05
            assert evidence.sample_size >= 150
            assert evidence.window_start <= evidence.window_end

        vigil.record_retrain_completed(model_id=model_id, new_version="v2", succeeded=True, incident_id=request.incident_id)
        vigil.record_deployment(model_id=model_id, version="v2", reason="retrain", incident_id=request.incident_id)
        vigil.flush()
        requests.commit()

    eventually(lambda: orchestrator.get(f"/models/{model_id}")[1]["champion"]["version"], lambda v: v == "v2", 60)
    incidents = eventually(
        lambda: orchestrator.get(f"/models/{model_id}/incidents")[1]["incidents"],
        lambda found: any(i["incidentId"] == request.incident_id and i["status"] == "closed" for i in found),
        60,
    )
    assert [(i["action"], i["status"], i["requestStatus"]) for i in incidents] == [("retrain", "closed", "produced")]
