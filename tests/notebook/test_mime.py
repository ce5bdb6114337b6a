"""The MIME bundles the JupyterLab extension renders: the workflow export and the run record as JSON,
beside the HTML and text that every other front end shows; and what a saved notebook keeps of them."""

from __future__ import annotations

from typing import Any

import nbformat
import pytest

import flow_nb as fn
from flow_nb.engine import RunRecord
from flow_nb.llm import OpenAIChat
from flow_nb.notebook.cells import parse_node_cell
from flow_nb.notebook.display import record_html, record_text, workflow_html, workflow_text
from flow_nb.notebook.mime import RUN_MIME, WORKFLOW_MIME, catalog, run_bundle, workflow_bundle
from flow_nb.testing import Rule
from flow_nb.testing.server import FakeLLM


def support() -> fn.Workflow:
    wf = fn.Workflow("support")
    wf.node("ask", "text_input", "How can I help you today?", start=True)
    wf.node("money", "boolean", "Is the input related to money?", after="ask")
    wf.node("refuse", "feedback", "Sorry, we do not answer money related questions.", after="money:true")
    wf.node("forward", "feedback", "I will forward your message.", after="money:false")
    return wf


@pytest.fixture
def record(llm: OpenAIChat, fake_llm: FakeLLM) -> RunRecord:
    fake_llm.add_rule(Rule(match="refund", reply="true"))
    fake_llm.add_rule(Rule(match=None, reply="false"))
    return support().run("Can I get a refund?", llm=llm)


def test_workflow_bundle_holds_the_export_and_the_fallbacks() -> None:
    wf = support()
    bundle = workflow_bundle(wf)
    assert set(bundle) == {WORKFLOW_MIME, "text/html", "text/plain"}
    assert bundle[WORKFLOW_MIME] == wf.export()
    assert fn.Workflow.load(bundle[WORKFLOW_MIME]) == wf
    assert bundle["text/html"] == workflow_html(wf) and "<svg" in bundle["text/html"]
    assert bundle["text/plain"] == workflow_text(wf)


def test_run_bundle_holds_the_record_and_the_fallbacks(record: RunRecord) -> None:
    bundle = run_bundle(record)
    assert set(bundle) == {RUN_MIME, "text/html", "text/plain"}
    data = bundle[RUN_MIME]
    assert RunRecord.model_validate(data).model_dump(mode="json") == data
    assert data["status"] == "FINISHED"
    money = data["nodes"]["money"]["runs"][0]
    assert money["conditions"]["met"][0]["system_name"] == "boolean_true"
    assert money["usage"]["total_tokens"] > 0 and money["elapsed"] > 0
    assert bundle["text/html"] == record_html(record)
    assert bundle["text/plain"] == record_text(record)


def test_the_shell_displays_both_bundles(ip: Any, record: RunRecord) -> None:
    """What ``%load_ext flow_nb`` registers: a workflow or a run record as a cell's value carries its
    JSON for the extension and its HTML and text for everyone else."""
    wf = support()
    data, _ = ip.display_formatter.format(wf)
    assert data[WORKFLOW_MIME] == wf.export()
    assert data["text/html"] == workflow_html(wf) and data["text/plain"] == workflow_text(wf)
    data, _ = ip.display_formatter.format(record)
    assert data[RUN_MIME] == record.model_dump(mode="json")
    assert data["text/html"] == record_html(record) and data["text/plain"] == record_text(record)


def test_a_saved_notebook_keeps_the_json_and_the_fallbacks(record: RunRecord) -> None:
    wf = support()
    cell = nbformat.v4.new_code_cell("%flow show support")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data=workflow_bundle(wf)),
        nbformat.v4.new_output("execute_result", data=run_bundle(record), execution_count=1),
    ]
    nb = nbformat.v4.new_notebook(cells=[cell])
    text = nbformat.writes(nb)
    again = nbformat.reads(text, as_version=4)
    nbformat.validate(again)
    shown, run = again.cells[0].outputs
    assert shown["data"][WORKFLOW_MIME] == wf.export()  # JSON objects, not strings: +json MIME types
    assert run["data"][RUN_MIME]["path"] == record.path
    assert "text/plain" in shown["data"] and "text/html" in run["data"]


def test_catalog_options_are_what_a_cell_accepts() -> None:
    """Every option the extension treats as valid parses, with or without a value as it says."""
    data = catalog()
    for node_type in data["types"]:
        options = {**data["general_options"], **node_type["options"]}
        for flag, takes_value in options.items():
            value = {
                "--after": "x",
                "-a": "x",
                "--position": "1,2",
                "--header": "A=b",
                "--headers": "A=b",
            }.get(flag, "1")
            words = [flag, value] if takes_value else [flag]
            parse_node_cell(
                " ".join(["n", node_type["key"], *words]), "main text\n" if node_type["main_field"] else ""
            )
    assert {t["key"] for t in data["types"]} == {t.key for t in fn.model.all_types()}


def test_catalog_names_every_condition_a_cell_may_use() -> None:
    boolean = next(t for t in catalog()["types"] if t["key"] == "boolean")
    assert [(c["system_name"], c["aliases"]) for c in boolean["conditions"]] == [
        ("boolean_false", ["false"]),
        ("boolean_true", ["true"]),
        ("boolean_undecided", ["undecided"]),
    ]
    assert boolean["family"] == "ai" and boolean["default_condition"] is None
    assert catalog()["error"]["system_name"] == "error"
