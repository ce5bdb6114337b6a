"""The helper node types: text input/output/feedback, HTTP output, code."""

from __future__ import annotations

import pytest
from support import Web

import flow_nb as fn


def test_http_output_posts_the_result_and_meets_conditions_by_response(web: Web) -> None:
    wf = fn.Workflow("w", variables={"token": "s3cret"})
    wf.node(
        "hook", "http_output", f"{web.url}/hook/json", start=True, headers={"X-Token": "{{workflow.token}}"}
    )
    wf.node("done", "feedback", "id={{result.id}}", after="hook:json")
    record = wf.run("some result text")
    assert web.received[0]["json"] == {"result": "some result text"}  # the seed's {"result": ...}
    assert web.received[0]["headers"]["X-Token"] == "s3cret"
    run = record.nodes["hook"].runs[0]
    assert run.result == {"ok": True, "id": 7}
    assert [c.system_name for c in run.conditions.met] == ["json_returned", "status_200"]
    assert record.results == ["id=7"]


def test_http_output_text_and_not_200(web: Web) -> None:
    wf = fn.Workflow("w")
    wf.node("hook", "http_output", f"{web.url}/hook/text", start=True)
    run = wf.run("x").nodes["hook"].runs[0]
    assert run.result == "thanks" and run.condition == "status_200"
    wf.node("hook", endpoint=f"{web.url}/hook/fail")
    run = wf.run("x").nodes["hook"].runs[0]
    assert run.condition == "status_not_200" and run.message == "the endpoint answered HTTP 500"


def test_code_sees_input_result_variables_and_returns_json() -> None:
    wf = fn.Workflow("w", variables={"greeting": "hi"})
    wf.node(
        "c",
        "code",
        "result = variables['workflow']['greeting'] + ' ' + input + ' ' + variables['run']['who']",
        start=True,
    )
    assert wf.run("there", variables={"who": "you"}).results == []
    assert wf.run("there", variables={"who": "you"}).nodes["c"].runs[0].result == "hi there you"
    wf.node("c", code="return {'n': len(input), 'items': [1, 2]}")
    assert wf.run("abc").nodes["c"].runs[0].result == {"n": 3, "items": [1, 2]}


def test_code_errors_are_clear() -> None:
    wf = fn.Workflow("w")
    with pytest.raises(fn.DefinitionError, match=r"node 'c' \(code\): code: Python syntax error at line 1"):
        wf.node("c", "code", "return (", start=True)
    wf.node("c", "code", "return object()", start=True)
    with pytest.raises(fn.NodeRunError, match="returned a object, which is not a JSON value"):
        wf.run("x")
    wf.node("c", code="import time\ntime.sleep(5)", timeout=0.2)
    with pytest.raises(fn.NodeRunError, match=r"ran longer than its timeout \(0.2 s\)"):
        wf.run("x")


def test_text_output_without_template_passes_the_input_on() -> None:
    wf = fn.Workflow("w")
    wf.node("t", "text_output", start=True)
    wf.node("f", "feedback", "{% for item in result %}[{{item|capitalize}}]{% endfor %}", after="t")
    assert wf.run(["a", "b"]).results == ["[A][B]"]
