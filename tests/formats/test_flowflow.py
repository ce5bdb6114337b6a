"""The server's workflow JSON format: round trips, schema, versions, files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flow_nb as fn
from flow_nb.formats.flowflow import FORMAT_VERSION
from flow_nb.formats.schema import workflow_schema
from flow_nb.model.fields import template_problem

FIXTURES = Path(__file__).parent.parent / "fixtures"
SCHEMA = workflow_schema()

# any text, but a broken Jinja2 template ("{% ") is refused when a node is defined, so keep only good ones
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40).filter(
    lambda text: template_problem(text) is None
)
names = st.from_regex(r"[A-Za-z][A-Za-z0-9 _]{0,15}", fullmatch=True)
MAIN = {
    "answer": texts,
    "assistant": texts.filter(str.strip),
    "boolean": texts.filter(str.strip),
    "generate": texts,
    "vision": texts,
    "text_input": texts,
    "text_output": texts,
    "feedback": texts,
    "http_output": st.just("http://127.0.0.1:9/hook"),
    "code": st.just("result = input"),
    "data_search": st.just("docs"),
}


@st.composite
def workflows(draw: st.DrawFn) -> fn.Workflow:
    wf = fn.Workflow(
        draw(names),
        description=draw(texts),
        variables=draw(
            st.dictionaries(
                st.from_regex(r"[a-z_]{1,8}", fullmatch=True),
                st.one_of(texts, st.integers(), st.booleans(), st.none()),
                max_size=3,
            )
        ),
    )
    for name in draw(st.lists(names, min_size=1, max_size=8, unique_by=fn.model.key_of)):
        kind = draw(st.sampled_from([*MAIN, "classification"]))
        extra: dict = {}
        if kind == "classification":
            labels = draw(
                st.lists(st.from_regex(r"[a-z]{1,6}", fullmatch=True), min_size=1, max_size=4, unique=True)
            )
            extra["labels"] = labels
            extra["multiple_answers"] = draw(st.booleans())
            text = None
        else:
            text = draw(MAIN[kind])
        position = draw(st.one_of(st.none(), st.tuples(st.integers(-500, 500), st.integers(-500, 500))))
        wf.node(
            name,
            kind,
            text,
            start=draw(st.booleans()),
            position=position,
            auto_continue=draw(st.one_of(st.none(), st.booleans())),
            **extra,
        )
    for _ in range(draw(st.integers(0, 10))):
        source, target = draw(st.sampled_from(wf.nodes)), draw(st.sampled_from(wf.nodes))
        condition = draw(st.sampled_from(source.conditions()))
        wf.connect(source.id, condition, target.id)
    return wf


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
