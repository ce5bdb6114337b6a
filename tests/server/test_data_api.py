"""Data sources over REST, and an answer node that searches them on the server."""

from __future__ import annotations

from server_support import Served

import flow_nb as fn

POLICY = "Refunds are paid within 14 days of the return. Shipping costs are not refunded."


def answers_from(source: str) -> fn.Workflow:
    wf = fn.Workflow(name=f"answers from {source}")
    wf.node("question", "text_input", start=True)
    wf.node("search", "data_search", source, after="question")
    wf.node("found", "feedback", "{{result[0].data_item.name}}: {{result[0].text}}", after="search:found")
    wf.node("nothing", "feedback", "nothing found", after="search:none")
    return wf


def test_manage_data_sources_and_items(server: Served) -> None:
    client = server.client()
    name = f"policies-{server.kind}"
    created = client.post("/api/v1/data_sources", json={"name": name})
    assert created.status_code == 201 and created.json()["name"] == name
    again = client.post("/api/v1/data_sources", json={"name": name})
    assert again.status_code == 409 and again.json()["field"] == "name"
    added = client.post(f"/api/v1/data_sources/{name}/items", json={"name": "refunds", "text": POLICY})
    assert (
        added.status_code == 201 and added.json()["status"] == "added" and added.json()["item"]["chunks"] == 1
    )
    replaced = client.post(
        f"/api/v1/data_sources/{name}/items", json={"name": "refunds", "text": POLICY + " Thanks."}
    )
    assert replaced.json()["status"] == "replaced"
    items = client.get(f"/api/v1/data_sources/{name}/items").json()
    assert [i["name"] for i in items["items"]] == ["refunds"] and items["total"] == 1
    hits = client.post(f"/api/v1/data_sources/{name}/search", json={"query": "when are refunds paid"}).json()
    assert hits["hits"][0]["item_name"] == "refunds" and hits["credits"] == 1
    listed = client.get("/api/v1/data_sources").json()
    assert name in [s["name"] for s in listed["data_sources"]]
    assert client.delete(f"/api/v1/data_sources/{name}/items/refunds").json() == {"result": "success"}
    assert client.delete(f"/api/v1/data_sources/{name}").json() == {"result": "success"}


def test_bad_data_requests_name_the_problem(server: Served) -> None:
    client = server.client()
    missing = client.get("/api/v1/data_sources/nowhere/items")
    assert missing.status_code == 404 and "there is no data source 'nowhere'" in missing.json()["error"]
    both = client.post("/api/v1/data_sources", json={})
    assert both.status_code == 400 and both.json()["field"] == "name"
    name = f"strict-{server.kind}"
    client.post("/api/v1/data_sources", json={"name": name})
    neither = client.post(f"/api/v1/data_sources/{name}/items", json={"name": "x"})
    assert neither.status_code == 400 and "give either text or url" in neither.json()["error"]
    assert client.get("/api/v1/data_sources", headers={"X-API-KEY": "wrong"}).status_code == 401


def test_a_published_workflow_searches_the_servers_data_source(server: Served) -> None:
    client = server.client()
    name = f"kb-{server.kind}"
    client.post("/api/v1/data_sources", json={"name": name})
    client.post(f"/api/v1/data_sources/{name}/items", json={"name": "refunds.md", "text": POLICY})
    workflow_id = server.publish(answers_from(name))
    done = client.post(
        f"/v1/api/workflow/run/{workflow_id}", json={"input": {"input": "refund paid days"}}
    ).json()
    assert done["output"] == f"refunds.md: {POLICY}"
    gone = server.publish(answers_from(f"missing-{server.kind}"))
    failed = client.post(f"/v1/api/workflow/run/{gone}", json={"input": {"input": "x"}}).json()
    assert (
        failed["status"] == "FAILED" and f"there is no data source 'missing-{server.kind}'" in failed["error"]
    )
