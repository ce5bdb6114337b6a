"""Workflow management (002_4b2e29c58d7bb204.txt): CRUD, list filters, versions, publish, execute,
execution history, templates."""

from __future__ import annotations

from server_support import Served, asks_name, failing, support, wait_for

import flow_nb as fn

ITEM_FIELDS = {
    # the seed's list item: "id", "name", "description", "category", "public", "created_by", "created_at",
    # "updated_at", "usage_count", "rating"
    "id",
    "name",
    "description",
    "category",
    "public",
    "created_by",
    "created_at",
    "updated_at",
    "usage_count",
    "rating",
}


def test_create_stores_the_export_unchanged_and_get_returns_it(server: Served) -> None:
    wf = support()
    http = server.client()
    created = http.post("/api/v1/workflows", json=wf.export())
    assert created.status_code == 201
    body = created.json()
    assert set(body) >= ITEM_FIELDS
    assert (body["id"], body["name"], body["category"], body["created_by"]) == (
        wf.id,
        "support",
        "support",
        "ada",
    )
    assert body["version"] == 1 and body["published_version"] is None
    got = http.get(f"/api/v1/workflows/{wf.id}").json()
    assert got["workflow"] == wf.export()
    assert fn.Workflow.load(got["workflow"]) == wf
    assert got["created_at"].endswith("Z")


def test_list_pages_filters_and_counts(server: Served) -> None:
    http = server.client(server.make_key(f"lister-{server.kind}"))
    for i in range(5):
        wf = support()
        wf.name, wf.category = f"w{i}", "even" if i % 2 == 0 else "odd"
        assert http.post("/api/v1/workflows", json=wf.export()).status_code == 201
    page = http.get("/api/v1/workflows", params={"limit": 2}).json()
    assert set(page) == {"workflows", "total", "has_more"}
    assert page["total"] == 5 and page["has_more"] is True and len(page["workflows"]) == 2
    assert set(page["workflows"][0]) == ITEM_FIELDS
    last = http.get("/api/v1/workflows", params={"limit": 2, "offset": 4}).json()
    assert len(last["workflows"]) == 1 and last["has_more"] is False
    even = http.get("/api/v1/workflows", params={"category": "even"}).json()
    assert even["total"] == 3 and {w["category"] for w in even["workflows"]} == {"even"}
    assert http.get("/api/v1/workflows").json()["total"] == 5  # default limit 20
    bad = http.get("/api/v1/workflows", params={"limit": "many"})
    assert bad.status_code == 400 and bad.json()["field"] == "limit"


def test_public_workflows_of_others_are_listed_on_request(server: Served) -> None:
    mine = server.client(server.make_key(f"carol-{server.kind}"))
    wf = support()
    assert mine.post("/api/v1/workflows", json=wf.export(), params={"public": "true"}).status_code == 201
    theirs = server.client(server.make_key(f"dave-{server.kind}"))
    assert wf.id not in [w["id"] for w in theirs.get("/api/v1/workflows").json()["workflows"]]
    listed = theirs.get("/api/v1/workflows", params={"public": "true", "limit": 100}).json()["workflows"]
    assert wf.id in [w["id"] for w in listed]
    assert theirs.get(f"/api/v1/workflows/{wf.id}").status_code == 200  # public: readable, runnable
    assert theirs.put(f"/api/v1/workflows/{wf.id}", json=wf.export()).status_code == 403  # not theirs


def test_invalid_exports_are_refused_naming_the_field_and_nothing_is_stored(server: Served) -> None:
    http = server.client()
    doc = support().export()
    doc["nodes"][1]["config"] = {}  # a boolean node without its required criteria
    refused = http.post("/api/v1/workflows", json=doc)
    assert refused.status_code == 400
    assert refused.json()["field"] == "criteria" and "money" in refused.json()["error"]
    assert http.get(f"/api/v1/workflows/{doc['id']}").status_code == 404
    newer = {**support().export(), "format": 99}
    assert http.post("/api/v1/workflows", json=newer).json()["field"] == "format"
    assert http.post("/api/v1/workflows", json=[1, 2]).status_code == 400


def test_put_stores_versions_and_runs_use_the_published_one(server: Served) -> None:
    http = server.client()
    wf = support()
    http.post("/api/v1/workflows", json=wf.export())
    path = f"/v1/api/workflow/run/{wf.id}"
    # never published: runs use the current version
    assert http.post(path, json={"input": "refund?"}).json()["output"].startswith("Sorry")
    assert http.post(f"/api/v1/workflows/{wf.id}/publish").json()["published_version"] == 1
    wf.node("refuse", "feedback", "Money? Ask the bank.")
    updated = http.put(f"/api/v1/workflows/{wf.id}", json=wf.export())
    assert updated.status_code == 200 and updated.json()["version"] == 2
    assert http.post(path, json={"input": "refund?"}).json()["output"].startswith("Sorry")  # still v1
    published = http.post(f"/api/v1/workflows/{wf.id}/publish").json()
    assert (published["version"], published["published_version"]) == (2, 2)
    assert http.post(path, json={"input": "refund?"}).json()["output"] == "Money? Ask the bank."
    versions = http.get(f"/api/v1/workflows/{wf.id}/versions").json()
    assert [v["version"] for v in versions["versions"]] == [2, 1]
    assert all(v["published"] for v in versions["versions"]) and versions["run_version"] == 2
    mismatch = http.put(f"/api/v1/workflows/{wf.id}", json=support().export())
    assert mismatch.status_code == 400 and mismatch.json()["field"] == "id"
    broken = wf.export()
    broken["relations"][0]["target"] = "nowhere"
    assert http.put(f"/api/v1/workflows/{wf.id}", json=broken).status_code == 400
    assert http.get(f"/api/v1/workflows/{wf.id}").json()["version"] == 2  # nothing half stored


def test_creating_an_existing_id_is_a_conflict(server: Served) -> None:
    http = server.client()
    wf = support()
    http.post("/api/v1/workflows", json=wf.export())
    again = http.post("/api/v1/workflows", json=wf.export())
    assert again.status_code == 409 and again.json()["field"] == "id"
    assert http.get(f"/api/v1/workflows/{wf.id}/versions").json()["total"] == 1


def test_delete_removes_workflow_history_and_app_keys(server: Served) -> None:
    http = server.client()
    workflow_id = server.publish(support())
    app_key = server.make_key("app", workflow_id)
    http.post(f"/v1/api/workflow/run/{workflow_id}", json={"input": "hi"})
    assert http.delete(f"/api/v1/workflows/{workflow_id}").json() == {"id": workflow_id, "deleted": True}
    assert http.get(f"/api/v1/workflows/{workflow_id}").status_code == 404
    assert http.get(f"/api/v1/workflows/{workflow_id}/executions").status_code == 404
    assert server.client(app_key).get("/v1/parameters").status_code == 401
    assert http.delete(f"/api/v1/workflows/{workflow_id}").status_code == 404


def test_execute_sync_and_async_and_the_execution_history(server: Served) -> None:
    http = server.client()
    workflow_id = server.publish(support())
    done = http.post(f"/api/v1/workflows/{workflow_id}/execute", json={"inputs": {"input": "a refund"}})
    assert done.status_code == 200
    sync = done.json()
    assert sync["status"] == "FINISHED" and sync["output"].startswith("Sorry") and sync["total_steps"] == 3
    started = http.post(f"/api/v1/workflows/{workflow_id}/execute", json={"input": "hello", "async": True})
    assert started.status_code == 202
    status_url = started.json()["status_url"]
    final = wait_for(lambda: (r := http.get(status_url).json())["status"] == "FINISHED" and r)
    assert final["output"].startswith("I will forward")
    history = http.get(f"/api/v1/workflows/{workflow_id}/executions").json()
    assert history["total"] == 2 and history["has_more"] is False
    assert [e["id"] for e in history["executions"]] == [final["id"], sync["id"]]
    failed_id = server.publish(failing())
    http.post(f"/api/v1/workflows/{failed_id}/execute", json={"input": "x"})
    failed = http.get(f"/api/v1/workflows/{failed_id}/executions", params={"status": "FAILED"}).json()
    assert failed["total"] == 1 and "no way" in failed["executions"][0]["error"]
    assert http.post(f"/api/v1/workflows/{workflow_id}/execute", json={"nope": 1}).json()["field"] == "nope"
    assert http.get("/api/v1/executions/unknown").status_code == 404


def test_execute_of_a_waiting_workflow_answers_waiting(server: Served) -> None:
    http = server.client()
    workflow_id = server.publish(asks_name())
    body = http.post(f"/api/v1/workflows/{workflow_id}/execute", json={"input": "hi"}).json()
    assert body["status"] == "WAITING"
    [request] = body["waiting"]
    assert (request["node"], request["kind"], request["prompt"]) == ("name", "text", "Your name, please")
    http.post(f"/api/v1/workflow/runs/{body['id']}/input", json={"value": "Ada"})


def test_templates_and_create_from_template(server: Served) -> None:
    http = server.client()
    templates = http.get("/api/v1/templates").json()
    assert templates["total"] == len(templates["templates"]) >= 3
    triage = next(t for t in templates["templates"] if t["id"] == "support-triage")
    assert triage["category"] == "support" and triage["inputs"] == ["input"]
    made = http.post(
        "/api/v1/workflows/from-template", json={"template_id": "support-triage", "name": "Triage"}
    )
    assert made.status_code == 201 and made.json()["name"] == "Triage"
    answer = http.post(f"/v1/api/workflow/run/{made.json()['id']}", json={"input": "Can I get a refund?"})
    assert answer.json()["output"] == "Sorry, we do not answer money related questions."
    unknown = http.post("/api/v1/workflows/from-template", json={"template_id": "nope"})
    assert unknown.status_code == 400 and unknown.json()["field"] == "template_id"
    assert http.get("/api/v1/templates/ticket-router").json()["workflow"]["name"] == "Ticket router"
