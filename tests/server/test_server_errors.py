"""A failure inside the server is a generic JSON 500 (its traceback only in the server's log), and a
request that fails stores nothing of itself."""

from __future__ import annotations

import logging
import sqlite3

import pytest
from server_support import Served, support

from flow_nb.server import BackgroundServer, create_app


def test_a_crash_is_a_generic_500_and_nothing_is_half_stored(
    tmp_db: str, caplog: pytest.LogCaptureFixture
) -> None:
    with BackgroundServer(create_app(tmp_db, llm=None)) as running:
        served = Served(running.url, tmp_db, "sqlite")
        served.admin = served.make_key("ada")
        workflow_id = served.publish(support())
        app_key = served.make_key("app", workflow_id)
        with sqlite3.connect(tmp_db.removeprefix("sqlite:///")) as connection:
            connection.execute("DROP TABLE runs")  # the next run cannot be stored
        http = served.client()
        with caplog.at_level(logging.ERROR, logger="flow_nb.server"):
            crashed = http.post(f"/v1/api/workflow/run/{workflow_id}", json={"input": "hi"})
        assert crashed.status_code == 500
        body = crashed.json()
        assert set(body) == {"error", "field"} and body["error"].startswith("internal server error")
        assert "Traceback" not in crashed.text and "sqlite" not in crashed.text.lower()
        incident = body["error"].rsplit(" ", 1)[1].rstrip(")")
        assert any(incident in r.getMessage() and r.exc_info for r in caplog.records)
        # the run's count went with the failed transaction; the connection still serves
        assert http.get(f"/api/v1/workflows/{workflow_id}").json()["usage_count"] == 0
        dify = served.client(app_key).post(
            "/v1/workflows/run", json={"inputs": {"input": "x"}, "response_mode": "blocking", "user": "u"}
        )
        assert dify.status_code == 500 and dify.json()["code"] == "internal_server_error"
        served.close()


def test_unknown_paths_and_methods_answer_json(server: Served) -> None:
    http = server.client()
    missing = http.get("/api/v1/nothing")
    assert missing.status_code == 404 and missing.json()["error"] == "no such endpoint"
    assert http.patch("/api/v1/workflows").status_code == 405
