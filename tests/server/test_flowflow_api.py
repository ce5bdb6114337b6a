"""FlowFlow's start/progress API (001_0b43115d3944be80.txt), and answering or stopping waiting runs."""

from __future__ import annotations

import re

from server_support import Served, approval, asks_name, support, wait_for

STARTED = (
    "Workflow execution started. Poll the 'progress_api_url' for updates or view the workflow run results "
    "in the app using the 'chat_url'"
)


def progress_of(server: Served, url: str) -> dict:
    return server.client().get(url).json()


def test_start_answers_the_seeds_start_json(server: Served) -> None:
    wf = support()
    server.publish(wf)
    # curl http://localhost.localdomain:8000/api/v1/workflow/start/{{WORKFLOW_ID}}
    #   -H "Authorization: Bearer {{YOUR_API_TOKEN}}"
    answer = server.client(bearer=True).post(
        f"/api/v1/workflow/start/{wf.id}", json={"input": "Who is the president of the USA in 2023?"}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"progress_api_url", "status", "workflow", "chat_url", "message"}
    run = body["workflow"]["run"]
    assert body["status"] == "OK" and body["message"] == STARTED
    assert (body["workflow"]["id"], body["workflow"]["name"]) == (wf.id, "support")
    assert run["status"] == "PENDING"
    # "created": "Thu, 27 Jul 2023 11:24:39 GMT"
    assert re.fullmatch(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT", run["created"])
    assert body["progress_api_url"] == f"{server.url}/api/v1/workflow/progress/{run['id']}"
    assert body["chat_url"] == (
        f"{server.url}/api/v1/internal/workflow/chat/{wf.id}?workflow_run_id={run['id']}"
    )


def test_progress_is_the_seeds_progress_json(server: Served) -> None:
    wf = support()
    server.publish(wf)
    http = server.client()
    started = http.post(f"/api/v1/workflow/start/{wf.id}", json={"input": "Can I get a refund?"}).json()
    progress = wait_for(
        lambda: (
            (p := progress_of(server, started["progress_api_url"]))["workflow"]["run"]["status"] == "FINISHED"
            and p
        )
    )
    assert progress["status"] == "OK"
    run = progress["workflow"]["run"]
    assert {"created", "id", "results", "status", "updated"} <= set(run)
    assert run["results"] == ["Sorry, we do not answer money related questions."]
    nodes = {n["name"]: n for n in progress["workflow"]["nodes"]}
    assert list(nodes) == ["ask", "money", "refuse"]
    money = nodes["money"]
    # the seed: "type": {"display_name": "AI - Answer question", "id": 9}
    assert money["type"] == {"id": 5, "display_name": "AI - Boolean"}
    [node_run] = money["runs"]
    # "conditions": {"defined": [...node_targets...], "met": [...], "met_and_defined": [...]}
    conditions = node_run["conditions"]
    assert {c["system_name"] for c in conditions["defined"]} == {
        "boolean_true",
        "boolean_false",
        "boolean_undecided",
    }
    target = next(c for c in conditions["defined"] if c["system_name"] == "boolean_true")["node_targets"][0]
    assert set(target) == {"id", "name", "relation", "type"} and target["name"] == "refuse"
    assert [c["system_name"] for c in conditions["met"]] == ["boolean_true"]
    assert [c["system_name"] for c in conditions["met_and_defined"]] == ["boolean_true"]
    for key in ("config", "created", "end_node", "id", "input", "message", "result", "sources", "start_node"):
        assert key in node_run
    assert node_run["input"] == "Can I get a refund?" and node_run["message"] == "OK"
    assert nodes["ask"]["runs"][0]["start_node"] is True and nodes["refuse"]["runs"][0]["end_node"] is True
    # the record survives the run: a stored run answers the same
    assert progress_of(server, started["progress_api_url"])["workflow"] == progress["workflow"]


def test_start_takes_node_start_id_and_run_variables(server: Served) -> None:
    wf = support()
    wf.node("refuse", "feedback", "No money talk at {{workflow.run.company}}.")
    server.publish(wf)
    http = server.client()
    body = {"input": "x", "node_start_id": "refuse", "workflow_run_variables": {"company": "ACME"}}
    started = http.post(f"/api/v1/workflow/start/{wf.id}", json=body).json()
    done = wait_for(
        lambda: (p := progress_of(server, started["progress_api_url"]))["workflow"]["run"]["results"] and p
    )
    assert done["workflow"]["run"]["results"] == ["No money talk at ACME."]
    unknown = http.post(f"/api/v1/workflow/start/{wf.id}", json={"input": "x", "node_start_id": "nope"})
    assert unknown.status_code == 400 and unknown.json()["field"] == "node_start_id"
    missing = http.post(f"/api/v1/workflow/start/{wf.id}", json={})
    assert missing.status_code == 400 and missing.json()["field"] == "input"


def test_a_waiting_run_shows_its_request_and_resumes(server: Served) -> None:
    wf = asks_name()
    server.publish(wf)
    http = server.client()
    started = http.post(f"/api/v1/workflow/start/{wf.id}", json={"input": "hi"}).json()
    url = started["progress_api_url"]
    waiting = wait_for(
        lambda: (p := progress_of(server, url))["workflow"]["run"]["status"] == "WAITING" and p
    )
    [request] = waiting["workflow"]["run"]["waiting"]
    assert (request["node"], request["kind"], request["prompt"], request["placeholder"]) == (
        "name",
        "text",
        "Your name, please",
        "Ada",
    )
    name_run = next(n for n in waiting["workflow"]["nodes"] if n["name"] == "name")["runs"][0]
    assert name_run["status"] == "WAITING"
    wrong = http.post(request["respond_url"], json={"request_id": "nobody", "value": "x"})
    assert wrong.status_code == 400 and wrong.json()["field"] == "request_id"
    not_text = http.post(request["respond_url"], json={"node": "name", "value": 3})
    assert not_text.status_code == 400 and not_text.json()["field"] == "value"
    answer = http.post(request["respond_url"], json={"request_id": request["request_id"], "value": "Ada"})
    assert answer.status_code == 200 and answer.json()["status"] == "OK"
    done = wait_for(lambda: (p := progress_of(server, url))["workflow"]["run"]["status"] == "FINISHED" and p)
    assert done["workflow"]["run"]["results"] == ["Hello! What is your name?", "Nice to meet you, Ada"]
    ended = http.post(request["respond_url"], json={"value": "again"})
    assert ended.status_code == 409


def test_an_approval_is_answered_with_an_action(server: Served) -> None:
    wf = approval()
    server.publish(wf)
    http = server.client()
    started = http.post(f"/api/v1/workflow/start/{wf.id}", json={"input": "thanks"}).json()
    url = started["progress_api_url"]
    waiting = wait_for(lambda: (p := progress_of(server, url))["workflow"]["run"]["waiting"] and p)
    [request] = waiting["workflow"]["run"]["waiting"]
    assert request["kind"] == "approval" and request["result"] == "Dear customer, thanks"
    assert request["actions"] == ["approve", "edit", "reject"]
    refused = http.post(request["respond_url"], json={"action": "input", "value": "x"})
    assert refused.status_code == 400 and refused.json()["field"] == "action"
    assert http.post(request["respond_url"], json={"action": "reject"}).status_code == 200
    done = wait_for(lambda: (p := progress_of(server, url))["workflow"]["run"]["status"] == "FINISHED" and p)
    assert done["workflow"]["run"]["results"] == []


def test_stop_ends_a_run_stopped_and_the_chat_page_shows_it(server: Served) -> None:
    wf = asks_name()
    server.publish(wf)
    http = server.client()
    started = http.post(f"/api/v1/workflow/start/{wf.id}", json={"input": "hi"}).json()
    run_id = started["workflow"]["run"]["id"]
    wait_for(
        lambda: progress_of(server, started["progress_api_url"])["workflow"]["run"]["status"] == "WAITING"
    )
    stopped = http.post(f"/api/v1/workflow/runs/{run_id}/stop").json()
    assert stopped["run"]["status"] == "STOPPED"
    assert progress_of(server, started["progress_api_url"])["workflow"]["run"]["status"] == "STOPPED"
    page = http.get(started["chat_url"])
    assert page.status_code == 200 and "STOPPED" in page.text and "Hello! What is your name?" in page.text


def test_unknown_runs_are_404_and_other_accounts_cannot_read_them(server: Served) -> None:
    wf = support()
    server.publish(wf)
    started = server.client().post(f"/api/v1/workflow/start/{wf.id}", json={"input": "x"}).json()
    assert server.client().get("/api/v1/workflow/progress/nope").status_code == 404
    assert server.client(server.other).get(started["progress_api_url"]).status_code == 404
