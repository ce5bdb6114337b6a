"""FlowAI's run API (000_ab7bb02acc82d058.txt): blocking and streaming, keys, errors."""

from __future__ import annotations

from server_support import Served, approval, chat, failing, stream, support

from flow_nb.client import iter_events
from flow_nb.server import BackgroundServer, create_app


def test_blocking_run_answers_output_and_total_time(server: Served) -> None:
    workflow_id = server.publish(support())
    http = server.client()
    # the seed: curl ... -d '{"input":{"input":"Are you there?"}}' → { "output": "Yes", "total_time": 9.3…}
    answer = http.post(
        f"/v1/api/workflow/run/{workflow_id}", json={"input": {"input": "Can I get a refund?"}}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["output"] == "Sorry, we do not answer money related questions."
    assert isinstance(body["total_time"], float) and body["total_time"] > 0
    assert body["status"] == "FINISHED"


def test_the_seeds_curl_line_works_without_a_content_type(server: Served) -> None:
    workflow_id = server.publish(support())
    # curl -d sends application/x-www-form-urlencoded; the seed's line sets no Content-Type
    answer = server.client().post(
        f"/v1/api/workflow/run/{workflow_id}",
        content=b'{"input":{"input":"Where is my parcel?"}}',
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.json()["output"] == "I will forward your message to a customer service agent."


def test_streaming_run_sends_the_seeds_events(server: Served) -> None:
    wf = chat()
    workflow_id = server.publish(wf)
    response, events = stream(
        server.client(),
        f"/v1/api/workflow/run/{workflow_id}",
        {"input": {"input": "Are you there?"}, "stream": True},
    )
    assert response.headers["x-flow-run-id"]
    ids = {n.key: n.id for n in wf.nodes}
    kinds = [(e.event, e.data.get("Type")) for e in events]
    # event:msgdata:{"Node":"myinput","Msg":"start","Type":"start","Data":{"input":"Are you there?"}}
    start = events[0]
    assert start.event == "msg"
    assert start.data == {
        "Node": ids["myinput"],
        "Msg": "start",
        "Type": "start",
        "Data": {"input": "Are you there?"},
    }
    # {"Node":"myinput","Msg":"Start node Start, type in","Type":"start_node","Data":null}
    assert events[1].data == {
        "Node": ids["myinput"],
        "Msg": "Start node myinput, type text_input",
        "Type": "start_node",
        "Data": None,
    }
    # {"Node":"myinput","Msg":"Finish node Start, type in","Type":"finish_node",
    #  "Data":{"time_spend":0.000125251}}
    finish = events[2].data
    assert (finish["Node"], finish["Msg"], finish["Type"]) == (
        ids["myinput"],
        "Finish node myinput, type text_input",
        "finish_node",
    )
    assert isinstance(finish["Data"]["time_spend"], float)
    # event:streamdata:{"Content":"Yes","Node":"1741675999864","Reasoning":null}
    pieces = [e.data for e in events if e.event == "stream"]
    assert len(pieces) > 1
    assert all(set(p) == {"Content", "Node", "Reasoning"} for p in pieces)
    assert all(p["Node"] == ids["llm1"] and p["Reasoning"] is None for p in pieces)
    assert "".join(p["Content"] for p in pieces) == "Yes, I'm here."
    # event:outputdata:{"output":"Yes, I'm here.","total_time":4.758748069}
    assert events[-1].event == "output"
    assert events[-1].data["output"] == "Yes, I'm here."
    assert set(events[-1].data) == {"output", "total_time"}
    assert kinds.count(("msg", "start_node")) == kinds.count(("msg", "finish_node")) == 3


def test_a_failed_run_streams_an_error_event(server: Served) -> None:
    workflow_id = server.publish(failing())
    _, events = stream(
        server.client(), f"/v1/api/workflow/run/{workflow_id}", {"input": {"input": "x"}, "stream": True}
    )
    assert [e.event for e in events][-1] == "error"
    assert "no way" in events[-1].data["error"]
    assert "output" not in [e.event for e in events]
    blocking = server.client().post(f"/v1/api/workflow/run/{workflow_id}", json={"input": "x"}).json()
    assert blocking["status"] == "FAILED" and "no way" in blocking["error"] and blocking["output"] is None


def test_a_stream_waits_for_a_person_and_goes_on_when_answered(server: Served) -> None:
    workflow_id = server.publish(approval())
    http = server.client()
    with http.stream(
        "POST", f"/v1/api/workflow/run/{workflow_id}", json={"input": "thanks", "stream": True}
    ) as r:
        seen = []
        for found in iter_events(r.iter_lines()):
            seen.append(found)
            if found.data.get("Type") == "waiting":
                request = found.data["Data"]
                assert request["kind"] == "approval" and request["result"] == "Dear customer, thanks"
                answer = http.post(request["respond_url"], json={"action": "edit", "value": "Dear Ada"})
                assert answer.status_code == 200, answer.text
            if found.event in ("output", "error"):
                break
    assert seen[-1].event == "output" and seen[-1].data["output"] == "SENT: Dear Ada"


def test_keys_in_either_header_and_401_without_one(server: Served) -> None:
    workflow_id = server.publish(support())
    path = f"/v1/api/workflow/run/{workflow_id}"
    assert server.client(bearer=True).post(path, json={"input": "hi"}).status_code == 200
    missing = server.client("").post(path, json={"input": "hi"})
    assert missing.status_code == 401 and "X-API-KEY" in missing.json()["error"]
    wrong = server.client("fnb_000000000000_nope").post(path, json={"input": "hi"})
    assert wrong.status_code == 401


def test_bad_input_is_a_400_naming_the_field(server: Served) -> None:
    workflow_id = server.publish(support())
    http = server.client()
    missing = http.post(f"/v1/api/workflow/run/{workflow_id}", json={"stream": True})
    assert missing.status_code == 400
    assert missing.json() == {"error": "input is required", "field": "input"}
    broken = http.post(f"/v1/api/workflow/run/{workflow_id}", content=b'{"input": ')
    assert broken.status_code == 400 and broken.json()["field"] == "body"
    assert http.post("/v1/api/workflow/run/nope", json={"input": "x"}).status_code == 404


def test_another_accounts_private_workflow_is_not_found(server: Served) -> None:
    workflow_id = server.publish(support())
    answer = server.client(server.other).post(f"/v1/api/workflow/run/{workflow_id}", json={"input": "x"})
    assert answer.status_code == 404


def test_rate_limit_answers_429_with_retry_after(tmp_db: str) -> None:
    from server_support import Served as S

    with BackgroundServer(create_app(tmp_db, llm=None, rate_limit=2)) as running:
        served = S(running.url, tmp_db, "sqlite")
        served.admin = served.make_key("ada")
        http = served.client()
        codes = [http.get("/api/v1/workflows") for _ in range(5)]
        limited = [r for r in codes if r.status_code == 429]
        assert limited, [r.status_code for r in codes]
        assert int(limited[0].headers["retry-after"]) >= 1
        assert "rate limit" in limited[0].json()["error"]
        served.close()
