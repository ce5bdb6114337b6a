"""Version stamps, migrations from every released format, and secrets that never leave as values."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import flow_nb as fn
from flow_nb.formats import dify, flowflow, mermaid, secrets
from flow_nb.formats.schema import workflow_schema

FIXTURES = Path(__file__).parent.parent / "fixtures"
SECRET = "s3cr3t-v4lue"


def hooked(token: str = SECRET) -> fn.Workflow:
    wf = fn.Workflow("hooked")
    wf.node("ask", "text_input", "Question?", start=True)
    wf.node(
        "hook",
        "http_output",
        "https://example.com/hooks",
        after="ask",
        headers={"X-Token": token, "X-Trace": "flow"},
        secret_headers=["x-token"],
    )
    return wf


def test_every_export_carries_its_format_and_flow_nb_version() -> None:
    data = hooked().export()
    assert (data["format"], data["flow_nb_version"]) == (flowflow.FORMAT_VERSION, fn.__version__)
    assert flowflow.FORMAT_VERSION == 2 and sorted(flowflow.MIGRATIONS) == [1]
    assert list(data)[:2] == ["format", "flow_nb_version"]
    jsonschema.validate(data, workflow_schema())


def test_a_format_1_file_migrates_and_keeps_its_secret_value_until_the_next_export() -> None:
    migrated = flowflow.read(FIXTURES / "secrets-format-1.json")
    assert migrated["format"] == 2
    assert migrated["secrets"] == [
        {
            "node": "6a1f3c1e-8d2b-4f0e-9a55-2c1e7f0b9d10",
            "field": "headers.X-Token",
            "env": "FLOW_NB_SECRET_HOOK_X_TOKEN",
        }
    ]
    wf = fn.Workflow.load(FIXTURES / "secrets-format-1.json")
    assert wf["hook"].config.model_dump()["headers"]["X-Token"] == SECRET  # an old file still runs as before
    data = wf.export()
    assert data["nodes"][-1]["config"]["headers"] == {
        "X-Token": "${env:FLOW_NB_SECRET_HOOK_X_TOKEN}",
        "X-Trace": "flow",
    }
    assert data["secrets"] == migrated["secrets"]
    assert fn.Workflow.load(FIXTURES / "secrets-format-2.json") == fn.Workflow.load(data)


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*-format-*.json")), ids=lambda p: p.name)
def test_every_fixture_of_every_format_loads_and_re_exports_valid(fixture: Path) -> None:
    wf = fn.Workflow.load(fixture)
    again = wf.export()
    jsonschema.validate(again, workflow_schema())
    assert fn.Workflow.load(again) == fn.Workflow.load(json.loads(json.dumps(again)))


def test_secrets_never_appear_as_values_in_any_export(tmp_path: Path) -> None:
    wf = hooked()
    texts = {
        "flowflow": json.dumps(wf.export()),
        "to_json": wf.to_json(),
        "dify": dify.export(wf).text,
        "mermaid": mermaid.export(wf),
    }
    for suffix in (".json", ".mmd", ".md"):
        texts[suffix] = wf.save(tmp_path / f"hooked{suffix}").read_text(encoding="utf-8")
    with pytest.warns(dify.ConversionWarning, match="JSON body"):
        texts[".yml"] = wf.save(tmp_path / "hooked.yml").read_text(encoding="utf-8")
    for name, text in texts.items():
        assert SECRET not in text, name
    assert "${env:FLOW_NB_SECRET_HOOK_X_TOKEN}" in texts["flowflow"]
    document = dify.export(wf).document
    hook = next(n["data"] for n in document["workflow"]["graph"]["nodes"] if n["data"]["title"] == "hook")
    assert "X-Token:{{#env.FLOW_NB_SECRET_HOOK_X_TOKEN#}}" in hook["headers"].splitlines()
    assert [v for v in document["workflow"]["environment_variables"] if v["value_type"] == "secret"] == [
        {
            "id": document["workflow"]["environment_variables"][-1]["id"],
            "name": "FLOW_NB_SECRET_HOOK_X_TOKEN",
            "value": "",
            "value_type": "secret",
            "description": "header X-Token of node hook (flow_nb secret)",
            "selector": ["env", "FLOW_NB_SECRET_HOOK_X_TOKEN"],
        }
    ]
    assert wf["hook"].config.model_dump()["headers"]["X-Token"] == SECRET  # exporting changed nothing


def test_a_reference_is_kept_through_every_round_trip() -> None:
    wf = hooked("Bearer ${env:MY_TOKEN}")
    assert fn.Workflow.load(wf.export()) == wf
    assert dify.load(dify.export(wf).text, fn.Workflow).workflow == wf
    assert wf.export()["secrets"] == [{"node": wf["hook"].id, "field": "headers.X-Token", "env": "MY_TOKEN"}]


def test_references_resolve_from_the_environment_at_run_time() -> None:
    assert secrets.resolve("Bearer ${env:MY_TOKEN}", {"MY_TOKEN": "abc"}) == "Bearer abc"
    assert secrets.resolve("no reference", {}) == "no reference"
    with pytest.raises(KeyError, match="MISSING"):
        secrets.resolve("${env:MISSING}", {})
    assert secrets.referenced(" ${env:A_1} ") == "A_1" and secrets.referenced("x ${env:A}") is None
    assert secrets.env_name("my hook", "X-Api-Key") == "FLOW_NB_SECRET_MY_HOOK_X_API_KEY"


def test_a_broken_secrets_list_is_refused() -> None:
    data = hooked().export()
    data["secrets"] = "FLOW_NB_SECRET_HOOK_X_TOKEN"
    with pytest.raises(fn.FormatError, match="'secrets' must be a list"):
        fn.Workflow.load(data)
