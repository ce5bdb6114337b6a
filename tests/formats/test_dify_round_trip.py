"""flow_nb → Dify DSL → flow_nb over generated workflows: every node, relation, condition and text back,
and every export a document Dify's importer and graph builder accept."""

from __future__ import annotations

import re
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from workflow_strategies import workflows

import flow_nb as fn
from flow_nb.formats import dify

LEGAL_ID = re.compile(r"[A-Za-z0-9_]{1,50}")
REF = re.compile(r"\{\{#([^#]+)#\}\}")


def check_document(doc: dict[str, Any]) -> None:
    """What Dify's import and graph builder rely on (api/services/app_dsl_service.py, graphon entities)."""
    assert isinstance(doc["version"], str) and doc["version"] == dify.DSL_VERSION
    assert doc["kind"] == "app" and doc["app"]["mode"] == "workflow" and doc["dependencies"] == []
    workflow = doc["workflow"]
    graph = workflow["graph"]
    ids = [node["id"] for node in graph["nodes"]]
    assert len(ids) == len(set(ids)) and all(LEGAL_ID.fullmatch(i) for i in ids)
    types = {node["id"]: node["data"]["type"] for node in graph["nodes"]}
    assert list(types.values()).count("start") == 1 and list(types.values()).count("end") == 1
    for variable in workflow["environment_variables"]:
        assert variable["value"] is not None and variable["name"]
        assert variable["value_type"] in (
            "string",
            "number",
            "object",
            "secret",
            "array[string]",
            "array[number]",
            "array[object]",
        )
        if variable["value_type"] == "secret":
            assert variable["value"] == ""
    env = {variable["name"] for variable in workflow["environment_variables"]}
    for node in graph["nodes"]:
        data = node["data"]
        assert node["type"] == "custom" and {"x", "y"} <= set(node["position"])
        for selector in _selectors(data):
            assert selector[0] in ids or (selector[0] == "env" and selector[1] in env), selector
        for text in _texts(data):
            for ref in REF.findall(text):
                head, _, rest = ref.partition(".")
                assert head in ids or (head == "env" and rest in env) or ref == "context", ref
        if data["type"] == "template-transform":
            declared = {v["variable"] for v in data["variables"]}
            used = set(re.findall(r"(?<![\w.'\"])([A-Za-z_]\w*)(?=[\s.|}\]])", data["template"]))
            assert declared <= used | {"result"}
    edge_ids = [edge["id"] for edge in graph["edges"]]
    assert len(edge_ids) == len(set(edge_ids))
    for edge in graph["edges"]:
        assert edge["source"] in ids and edge["target"] in ids
        assert edge["id"] == f"{edge['source']}-{edge['sourceHandle']}-{edge['target']}-target"
        source = next(node["data"] for node in graph["nodes"] if node["id"] == edge["source"])
        handle = edge["sourceHandle"]
        if source["type"] == "question-classifier":
            assert handle in {c["id"] for c in source["classes"]}
        elif source.get("error_strategy") == "fail-branch":
            assert handle in ("success-branch", "fail-branch")
        else:
            assert handle == "source"


def _selectors(data: dict[str, Any]) -> list[list[str]]:
    found = []
    for key in ("query_variable_selector",):
        if key in data:
            found.append(data[key])
    for item in [*data.get("variables", []), *data.get("outputs", [])] if data["type"] != "start" else []:
        if isinstance(item, dict) and "value_selector" in item:
            found.append(item["value_selector"])
    for item in (data.get("prompt_config") or {}).get("jinja2_variables", []):
        found.append(item["value_selector"])
    if (data.get("context") or {}).get("enabled"):
        found.append(data["context"]["variable_selector"])
    return found


def _texts(data: dict[str, Any]) -> list[str]:
    texts = [m.get("text", "") for m in data.get("prompt_template", []) if m.get("edition_type") == "basic"]
    texts += [data.get(k, "") for k in ("instruction", "url", "headers")]
    texts += [item["value"] for item in (data.get("body") or {}).get("data", [])]
    return [t for t in texts if isinstance(t, str)]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workflows())
def test_flow_nb_to_dify_and_back_keeps_everything(wf: fn.Workflow) -> None:
    result = dify.export(wf)
    document = yaml.safe_load(result.text)
    check_document(document)
    back = dify.load(result.text, fn.Workflow)
    assert back.workflow.model_dump() == wf.model_dump()
    assert back.warnings == ()
    again = dify.export(back.workflow)
    assert again.text == result.text
