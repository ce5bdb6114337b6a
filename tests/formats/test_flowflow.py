"""The server's workflow JSON format: round trips, schema, versions, files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from workflow_strategies import workflows

import flow_nb as fn
from flow_nb.formats.flowflow import FORMAT_VERSION
from flow_nb.formats.schema import workflow_schema

FIXTURES = Path(__file__).parent.parent / "fixtures"
SCHEMA = workflow_schema()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workflows())
def test_round_trip_through_export_and_json_text(wf: fn.Workflow) -> None:
    data = wf.export()
    jsonschema.validate(data, SCHEMA)
    assert fn.Workflow.load(data) == wf
    text = json.dumps(data)
    assert fn.Workflow.load(text) == wf
    assert fn.Workflow.load(text).export() == data


def test_schema_is_valid_and_refuses_bad_documents() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    wf = fn.Workflow("w")
    wf.node("money", "boolean", "x", start=True)
    data = wf.export()
    data["nodes"][0]["config"]["colour"] = "red"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)


def test_save_and_load_a_file(tmp_path: Path) -> None:
    wf = fn.Workflow("w")
    wf.node("a", "feedback", "hello {{result}}", start=True)
    path = wf.save(tmp_path / "w.flow.json")
    assert fn.Workflow.load(path) == wf
    assert fn.Workflow.load(str(path)) == wf
    assert not list(tmp_path.glob("*.partial"))


def test_broken_files_are_refused_clearly(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"name": "w", "nodes": [', encoding="utf-8")
    with pytest.raises(
        fn.FormatError, match=r"broken.json' is not valid JSON: Expecting value at line 1 column 25"
    ):
        fn.Workflow.load(broken)
    with pytest.raises(fn.FormatError, match="cannot read the workflow file"):
        fn.Workflow.load(tmp_path / "missing.json")
    with pytest.raises(fn.FormatError, match="holds a JSON list, not a workflow object"):
        fn.Workflow.load("[1, 2]")


def test_newer_format_is_refused_with_what_to_do() -> None:
    data = fn.Workflow("w").export()
    data["format"] = FORMAT_VERSION + 1
    data["flow_nb_version"] = "9.0.0"
    newer = FORMAT_VERSION + 1
    with pytest.raises(fn.FormatError, match=rf"written in format {newer} \(by flow_nb 9.0.0\); .* upgrade"):
        fn.Workflow.load(data)


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("workflow-format-*.json")), ids=lambda p: p.name)
def test_every_released_format_version_still_loads(fixture: Path) -> None:
    wf = fn.Workflow.load(fixture)
    assert wf.name == "support"
    assert [n.key for n in wf.nodes] == ["ask", "money", "refuse", "forward"]
    assert len(wf.relations) == 4
    jsonschema.validate(wf.export(), SCHEMA)


def test_node_errors_in_documents_name_the_node() -> None:
    data = json.loads((FIXTURES / "workflow-format-1.json").read_text(encoding="utf-8"))
    del data["nodes"][1]["config"]["criteria"]
    with pytest.raises(fn.FormatError, match=r"node 'money' \(nodes\[1\]\): criteria is required") as info:
        fn.Workflow.load(data)
    assert info.value.node == "money"
