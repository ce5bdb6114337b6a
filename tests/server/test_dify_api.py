"""Dify's workflow-app API (003_b471c9f7e9a19c50.txt) with a key limited to one workflow."""

from __future__ import annotations

import re

from server_support import Served, asks_name, chat, failing, named_inputs, stream, support, wait_for

from flow_nb.client import iter_events

BLOCKING_DATA = {
    # "data": {"id", "workflow_id", "status", "outputs", "error", "elapsed_time", "total_tokens",
    #          "total_steps", "created_at", "finished_at"}
    "id",
    "workflow_id",
    "status",
    "outputs",
    "error",
    "elapsed_time",
    "total_tokens",
    "total_steps",
    "created_at",
    "finished_at",
}


def app(server: Served, workflow) -> tuple[str, object]:
    workflow_id = server.publish(workflow)
    return workflow_id, server.client(server.make_key("app", workflow_id), bearer=True)


def test_blocking_run(server: Served) -> None:
    workflow_id, http = app(server, support())
    answer = http.post(
        "/v1/workflows/run",
        json={"inputs": {"input": "refund"}, "response_mode": "blocking", "user": "abc-123"},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"workflow_run_id", "task_id", "data"}
    data = body["data"]
    assert set(data) == BLOCKING_DATA
    assert (data["id"], data["workflow_id"], data["status"]) == (
        body["workflow_run_id"],
        workflow_id,
        "succeeded",
    )
    assert data["outputs"]["text"] == "Sorry, we do not answer money related questions."
    assert data["total_steps"] == 3 and data["error"] is None
    assert isinstance(data["created_at"], int) and data["finished_at"] >= data["created_at"]


def test_streaming_run_sends_dify_chunks(server: Served) -> None:
    workflow_id, http = app(server, chat())
    body = {"inputs": {"input": "Are you there?"}, "response_mode": "streaming", "user": "abc-123"}
    _, events = stream(http, "/v1/workflows/run", body)
    assert all(e.event == "message" for e in events)  # "Each streaming chunk starts with data:"
    chunks = [e.data for e in events if e.name != "ping"]
    kinds = [c["event"] for c in chunks]
    assert kinds[0] == "workflow_started" and kinds[-1] == "workflow_finished"
    assert kinds.count("node_started") == kinds.count("node_finished") == 3
    run_id, task_id = chunks[0]["workflow_run_id"], chunks[0]["task_id"]
    assert all(c["workflow_run_id"] == run_id and c["task_id"] == task_id for c in chunks)
    started = chunks[0]["data"]
    assert set(started) == {"id", "workflow_id", "sequence_number", "created_at"}
    assert started["workflow_id"] == workflow_id and started["sequence_number"] == 1
    first_node = next(c["data"] for c in chunks if c["event"] == "node_started")
    assert {
        "id",
        "node_id",
        "node_type",
        "title",
        "index",
        "predecessor_node_id",
        "inputs",
        "created_at",
    } <= set(first_node)
    assert (first_node["title"], first_node["node_type"], first_node["index"]) == ("myinput", "text_input", 0)
    llm = [c["data"] for c in chunks if c["event"] == "node_started"][1]
    assert llm["predecessor_node_id"] == first_node["node_id"]
    finished = [c["data"] for c in chunks if c["event"] == "node_finished"][1]
    for key in ("process_data", "outputs", "status", "error", "elapsed_time", "execution_metadata"):
        assert key in finished
    assert finished["status"] == "succeeded" and finished["outputs"] == {"result": "Yes, I'm here."}
    assert finished["execution_metadata"]["total_tokens"] > 0
    texts = [c["data"] for c in chunks if c["event"] == "text_chunk"]
    assert "".join(t["text"] for t in texts) == "Yes, I'm here."
    assert texts[0]["from_variable_selector"] == [llm["node_id"], "text"]
    done = chunks[-1]["data"]
    assert set(done) == BLOCKING_DATA and done["status"] == "succeeded"
    assert done["outputs"]["output"] == "Yes, I'm here."


def test_pings_keep_a_quiet_stream_alive_and_stop_ends_it(server: Served) -> None:
    _, http = app(server, asks_name())
    body = {"inputs": {"input": "hi"}, "response_mode": "streaming", "user": "abc-123"}
    seen = []
    with http.stream("POST", "/v1/workflows/run", json=body) as response:
        for found in iter_events(response.iter_lines()):
            seen.append(found.name)
            if found.name == "input_requested":
                request = found.data["data"]
                assert (request["title"], request["prompt"]) == ("name", "Your name, please")
                task_id = found.data["task_id"]
            if seen.count("ping") == 2:
                wrong = http.post(f"/v1/workflows/tasks/{task_id}/stop", json={"user": "someone else"})
                assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_param"
                stopped = http.post(f"/v1/workflows/tasks/{task_id}/stop", json={"user": "abc-123"})
                assert stopped.json() == {"result": "success"}
            if found.name == "workflow_finished":
                assert found.data["data"]["status"] == "stopped"
                break
    assert "ping" in seen and seen[-1] == "workflow_finished"


def test_run_detail(server: Served) -> None:
    workflow_id, http = app(server, support())
    run = http.post(
        "/v1/workflows/run", json={"inputs": {"input": "hi"}, "response_mode": "blocking", "user": "u"}
    )
    run_id = run.json()["workflow_run_id"]
    detail = http.get(f"/v1/workflows/run/{run_id}").json()
    assert set(detail) == {
        "id",
        "workflow_id",
        "status",
        "inputs",
        "outputs",
        "error",
        "total_steps",
        "total_tokens",
        "created_at",
        "finished_at",
        "elapsed_time",
    }
    assert (detail["id"], detail["workflow_id"], detail["status"]) == (run_id, workflow_id, "succeeded")
    assert detail["inputs"] == '{"input": "hi"}'  # the seed shows inputs as JSON text
    # "created_at": "Thu, 18 Jul 2024 03:17:40 -0000"
    assert re.fullmatch(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d -0000", detail["created_at"])
    missing = http.get("/v1/workflows/run/nope")
    assert missing.status_code == 404 and set(missing.json()) == {"code", "message", "status"}


def test_parameters_describe_the_input_form(server: Served) -> None:
    _, http = app(server, named_inputs())
    params = http.get("/v1/parameters", params={"user": "abc-123"}).json()
    assert params["user_input_form"][0] == {
        "paragraph": {"label": "Input", "variable": "input", "required": True, "default": ""}
    }
    assert [next(iter(f.values()))["variable"] for f in params["user_input_form"][1:]] == ["city", "day"]
    assert "text-input" in params["user_input_form"][1]
    assert params["file_upload"]["image"]["enabled"] is False
    assert params["system_parameters"] == {"image_file_size_limit": "10"}


def test_logs_page_filter_and_search(server: Served) -> None:
    _, http = app(server, support())
    for text in ("refund please", "hello there", "another refund"):
        body = {"inputs": {"input": text}, "response_mode": "blocking", "user": "abc-123"}
        http.post("/v1/workflows/run", json=body)
    logs = http.get("/v1/workflows/logs", params={"limit": 1}).json()
    assert (logs["page"], logs["limit"], logs["total"], logs["has_more"]) == (1, 1, 3, True)
    [entry] = logs["data"]
    assert set(entry) == {
        "id",
        "workflow_run",
        "created_from",
        "created_by_role",
        "created_by_account",
        "created_by_end_user",
        "created_at",
    }
    assert set(entry["workflow_run"]) == {
        "id",
        "version",
        "status",
        "error",
        "elapsed_time",
        "total_tokens",
        "total_steps",
        "created_at",
        "finished_at",
    }
    assert entry["created_from"] == "service-api" and entry["created_by_end_user"]["session_id"] == "abc-123"
    assert entry["workflow_run"]["status"] == "succeeded" and entry["workflow_run"]["version"] == "1"
    found = http.get("/v1/workflows/logs", params={"keyword": "REFUND"}).json()
    assert found["total"] == 2
    assert http.get("/v1/workflows/logs", params={"status": "failed"}).json()["total"] == 0
    assert http.get("/v1/workflows/logs", params={"page": 2, "limit": 2}).json()["has_more"] is False
    bad = http.get("/v1/workflows/logs", params={"status": "weird"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_param"


def test_failed_runs_and_errors_in_difys_shape(server: Served) -> None:
    _, http = app(server, failing())
    body = {"inputs": {"input": "x"}, "response_mode": "blocking", "user": "u"}
    data = http.post("/v1/workflows/run", json=body).json()["data"]
    assert data["status"] == "failed" and "no way" in data["error"]
    missing = http.post("/v1/workflows/run", json={"inputs": {}, "user": "u"})
    assert missing.status_code == 400
    assert missing.json() == {"code": "invalid_param", "message": "response_mode is required", "status": 400}
    wait_for(lambda: True)
    unscoped = server.client().get("/v1/parameters")
    assert unscoped.status_code == 400 and unscoped.json()["code"] == "app_unavailable"
    assert server.client("").get("/v1/parameters").json()["status"] == 401
