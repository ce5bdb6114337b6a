"""Dify DSL files written by hand from Dify's fixtures and node entities: each mapped node type imports,
and re-exports unchanged in meaning; what flow_nb cannot read is refused naming the node and its type."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml
from test_dify_round_trip import check_document

import flow_nb as fn
from flow_nb.formats import dify

DIFY = Path(__file__).parent.parent / "fixtures" / "dify"
MAPPED = ["llm_template.yml", "classifiers.yml", "if_else.yml", "http_code_knowledge.yml"]


def meaning(doc: dict[str, Any]) -> dict[str, Any]:
    """What a Dify workflow does, without its ids or variable names: node titles and types, each branch
    (source, the class / case / outcome it leaves on, target), the End's outputs, and every text with its
    variables replaced by ``<title.var>`` of the node they read."""
    nodes = {n["id"]: n["data"] for n in doc["workflow"]["graph"]["nodes"]}
    start = next(i for i, d in nodes.items() if d["type"] == "start")
    first = (nodes[start].get("variables") or [{}])[0].get("variable")

    def name(selector: list[str]) -> str:
        head, var = str(selector[0]), ".".join(str(s) for s in selector[1:])
        if head == start and var == first:
            return "<run input>"
        return f"<{nodes[head]['title'] if head in nodes else head}.{var}>"

    def basic(text: str) -> str:
        return re.sub(r"\{\{#([^#]+)#\}\}", lambda m: name(m.group(1).split(".")), text)

    def jinja(template: str, variables: list[dict[str, Any]]) -> str:
        values = {v["variable"]: name(v["value_selector"]) for v in variables}
        return jinja2.Environment().from_string(template).render(values)

    def branch(data: dict[str, Any], handle: str) -> str:
        if data["type"] == "question-classifier":
            return next(c["name"] for c in data["classes"] if c["id"] == handle)
        if data["type"] == "if-else":
            return "true" if handle != "false" else "false"
        return {"source": "ok", "success-branch": "ok", "fail-branch": "failed"}[handle]

    texts: dict[str, Any] = {}
    for data in nodes.values():
        kind, title = data["type"], data["title"]
        if kind == "llm":
            texts[title] = [basic(m["text"]) for m in data["prompt_template"]]
        elif kind == "template-transform":
            texts[title] = jinja(data["template"], data["variables"])
        elif kind == "http-request":
            texts[title] = (
                data["method"].lower(),
                basic(data["url"]),
                sorted(basic(data["headers"]).splitlines()),
            )
        elif kind == "question-classifier":
            texts[title] = (sorted(c["name"] for c in data["classes"]), basic(data["instruction"]))
        elif kind == "knowledge-retrieval":
            texts[title] = data["multiple_retrieval_config"]["top_k"]
    return {
        "types": {d["title"]: d["type"] for d in nodes.values() if d["type"] != "end"},
        "branches": sorted(
            (
                nodes[e["source"]]["title"],
                branch(nodes[e["source"]], e["sourceHandle"]),
                nodes[e["target"]]["title"],
            )
            for e in doc["workflow"]["graph"]["edges"]
            if nodes[e["target"]]["type"] != "end"
        ),
        "outputs": sorted(
            name(o["value_selector"]) for d in nodes.values() if d["type"] == "end" for o in d["outputs"]
        ),
        "texts": texts,
        "secrets": sorted(
            v["name"] for v in doc["workflow"]["environment_variables"] if v["value_type"] == "secret"
        ),
        "variables": {
            v["name"]: v["value"]
            for v in doc["workflow"]["environment_variables"]
            if v["value_type"] != "secret"
        },
    }


def read(name: str) -> dify.Imported[fn.Workflow]:
    return dify.load(DIFY / name, fn.Workflow)


@pytest.mark.parametrize("name", MAPPED)
def test_a_dify_file_imports_and_re_exports_unchanged_in_meaning(name: str) -> None:
    original = yaml.safe_load((DIFY / name).read_text(encoding="utf-8"))
    imported = read(name)
    exported = dify.export(imported.workflow)
    check_document(exported.document)
    before, after = meaning(original), meaning(exported.document)
    if name == "if_else.yml":  # flow_nb has no exact test: the IF/ELSE comes back as a two-class classifier
        assert before["types"].pop("IF/ELSE") == "if-else"
        assert after["types"].pop("IF/ELSE") == "question-classifier"
        after["texts"].pop("IF/ELSE")
    if name == "llm_template.yml":  # the End's outputs: every node that ends a branch shows its result
        assert before["outputs"] == ["<Reply.output>"] and after["outputs"] == ["<Reply.output>"]
    assert after == before
    again = dify.load(exported.text, fn.Workflow)
    assert again.workflow == imported.workflow and again.warnings == ()


def test_llm_and_template_read_back_as_assistant_and_feedback() -> None:
    wf = read("llm_template.yml").workflow
    assert [(n.key, n.type, n.start_node) for n in wf.nodes] == [
        ("start", "text_input", True),
        ("summarise", "assistant", False),
        ("reply", "feedback", False),
    ]
    assert wf["start"].config.model_dump()["text_display"] == "Describe your problem"
    summarise = wf["summarise"].config.model_dump()
    assert summarise["command"] == "Summarise the customer's ticket in one sentence."
    assert (summarise["model"], summarise["temperature"]) == ("gpt-4o", 0.3)
    assert wf["reply"].config.model_dump()["text_display"] == (
        "{{ workflow.company }} received your ticket: {{ result | trim }}"
    )
    assert wf.variables == {"company": "ACME"}
    assert [(wf[r.source].key, r.condition.system_name, wf[r.target].key) for r in wf.relations] == [
        ("start", "text_received", "summarise"),
        ("summarise", "command_completed", "reply"),
    ]


def test_classifiers_read_back_as_classification_and_boolean() -> None:
    wf = read("classifiers.yml").workflow
    topic, angry = wf["topic"], wf["angry"]
    assert topic.type == "classification" and topic.pass_input_as_result
    assert topic.config.model_dump()["labels"] == [
        {"label": "billing", "context": "payments, refunds, invoices"},
        {"label": "shipping", "context": "parcels, delivery, tracking"},
        {"label": "technical", "context": None},
    ]
    assert angry.type == "boolean" and angry.config.model_dump()["criteria"] == "Is the customer angry?"
    conditions = {(wf[r.source].key, r.condition.system_name, wf[r.target].key) for r in wf.relations}
    assert conditions >= {
        ("topic", "label:billing", "billing_reply"),
        ("topic", "label:technical", "human"),
        ("angry", "boolean_true", "escalate"),
    }
    assert (
        wf["billing_reply"].config.model_dump()["text_display"]
        == "Our billing team will answer: {{ result }}"
    )


def test_if_else_reads_as_a_boolean_and_says_the_test_is_now_judged() -> None:
    imported = read("if_else.yml")
    decide = imported.workflow["if/else"]
    assert decide.type == "boolean"
    assert decide.config.model_dump()["criteria"] == '{{ result }} contains "hello"'
    assert any("IF/ELSE" in str(note) and "judge" in str(note) for note in imported.warnings)
    branches = {
        (r.condition.system_name, imported.workflow[r.target].key) for r in imported.workflow.relations
    }
    assert branches >= {("boolean_true", "greet"), ("boolean_false", "plain")}


def test_http_code_and_knowledge_read_back_with_secrets_as_references() -> None:
    wf = read("http_code_knowledge.yml").workflow
    hook = wf["hook"].config.model_dump()
    assert hook["endpoint"] == "https://example.com/hooks/{{ workflow.team }}"
    assert hook["headers"] == {"X-Token": "${env:HOOK_TOKEN}", "X-Trace": "flow"}
    assert hook["secret_headers"] == ["X-Token"] and hook["timeout"] == 10.0
    assert wf["policies"].type == "data_search" and wf["policies"].config.model_dump()["top_k"] == 4
    assert wf["count"].config.model_dump()["code"].endswith("return main(docs=input)\n")
    on_failure = {r.condition.system_name for r in wf.relations if wf[r.target].key == "failed"}
    assert on_failure == {"status_not_200", "error"}
    exported = dify.export(wf).document
    token = [v for v in exported["workflow"]["environment_variables"] if v["name"] == "HOOK_TOKEN"]
    assert token == [
        {
            "id": token[0]["id"],
            "name": "HOOK_TOKEN",
            "value": "",
            "value_type": "secret",
            "description": token[0]["description"],
            "selector": ["env", "HOOK_TOKEN"],
        }
    ]


def test_a_node_type_flow_nb_cannot_read_is_refused_naming_it() -> None:
    with pytest.raises(
        fn.FormatError, match=r"Dify node 'Google Search' \(id tool_node\) is a 'tool' node"
    ) as info:
        read("tool_node.yml")
    assert info.value.node == "Google Search" and info.value.field == "type"


BASE = (DIFY / "llm_template.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("app: [", r"the Dify DSL text is not valid YAML at line 2 column 1"),
        ("- a\n- b\n", r"holds a YAML list, not a mapping"),
        (
            BASE.replace("mode: workflow", "mode: advanced-chat"),
            r"mode 'advanced-chat'; flow_nb imports apps of mode 'workflow'",
        ),
        (BASE.replace("version: 0.6.0", "version: 0.6"), r"must be a string like '0.6.0', not the float 0.6"),
        (BASE.replace("version: 0.6.0", "version: 'latest'"), r"'latest' is not a version number"),
        (
            BASE.replace("target: '1754154050002'", "target: '999'"),
            r"goes to '999', which is no node of the graph",
        ),
        (BASE.replace("  graph:\n", "  grap:\n"), r"no workflow.graph section"),
        (
            BASE.replace("kind: app\n", "kind: app\napp_extra: 1\n").replace("app:\n", "ap:\n", 1),
            r"no app section",
        ),
    ],
)
def test_structural_problems_are_clear_format_errors(text: str, message: str) -> None:
    with pytest.raises(fn.FormatError, match=message):
        dify.load(text, fn.Workflow)


def test_javascript_code_is_refused_naming_the_node() -> None:
    text = (DIFY / "http_code_knowledge.yml").read_text(encoding="utf-8").replace("python3", "javascript")
    with pytest.raises(fn.FormatError, match=r"code node 'Count' \(id count\) is javascript code"):
        dify.load(text, fn.Workflow)


def test_a_newer_dsl_version_is_read_with_a_note() -> None:
    imported = dify.load(BASE.replace("version: 0.6.0", "version: 0.9.0"), fn.Workflow)
    assert any("newer" in str(note) for note in imported.warnings)


def support() -> fn.Workflow:
    wf = fn.Workflow("support", variables={"company": "ACME"})
    wf.node("ask", "text_input", "How can I help you today?", start=True)
    wf.node("money", "boolean", "Is the input related to money?", after="ask")
    wf.node("refuse", "feedback", "Sorry, {{ workflow.company }} does not answer that.", after="money:true")
    wf.node(
        "forward",
        "assistant",
        "Rewrite {{ result }} as a polite note.",
        after=["money:false", "money:undecided"],
    )
    return wf


def test_a_node_changed_in_dify_is_read_from_its_dify_settings() -> None:
    wf = support()
    document = dify.export(wf).document
    forward = next(n for n in document["workflow"]["graph"]["nodes"] if n["data"]["title"] == "forward")
    forward["data"]["prompt_template"][0]["text"] = "Forward this to a person: {{#start.input#}}"
    refuse = next(n for n in document["workflow"]["graph"]["nodes"] if n["data"]["title"] == "refuse")
    refuse["data"]["title"] = "decline"
    back = dify.load(document, fn.Workflow)
    changed = back.workflow["forward"]
    assert changed.id == wf["forward"].id and changed.type == "assistant"
    assert changed.config.model_dump()["command"] == "Forward this to a person: {{ result }}"
    assert back.workflow["decline"].id == wf["refuse"].id
    assert [str(n) for n in back.warnings] == [
        "node 'decline': renamed in Dify (was 'refuse'); texts naming the old key keep it",
        "node 'forward': changed in Dify: read from its Dify settings",
    ]
    assert len(back.workflow.relations) == len(wf.relations)


def test_workflow_load_tells_dify_files_and_text_from_flowflow(tmp_path: Path) -> None:
    wf = support()
    text = dify.export(wf).text
    path = tmp_path / "support.yml"
    path.write_text(text, encoding="utf-8")
    other = tmp_path / "support.dsl"
    other.write_text(text, encoding="utf-8")
    for source in (path, str(path), text, yaml.safe_load(text), other):
        assert fn.Workflow.load(source) == wf
    assert fn.Workflow.load(text, format="dify") == wf
    with pytest.warns(dify.ConversionWarning, match="IF/ELSE"):
        fn.Workflow.load(DIFY / "if_else.yml")


def test_workflow_export_dify_returns_the_text_and_warns() -> None:
    wf = support()
    wf.node("later", "feedback", "{{ node.ask.run.id }}", after="refuse")
    with pytest.warns(dify.ConversionWarning) as caught:
        text = wf.export("dify")
    assert isinstance(text, str) and text.startswith("version: 0.6.0\nkind: app\n")
    assert "node 'later': {{ node.ask.run.id }} has no Dify variable; left as written" in {
        str(w.message) for w in caught
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert dify.export(wf).text == text  # the notes come back as values, not as warnings


def test_every_flow_nb_feature_without_dify_equivalent_is_named() -> None:
    wf = fn.Workflow("features")
    wf.node("ask", "text_input", "Question?", start=True)
    wf.node("topic", "classification", labels=["a", "b"], multiple_answers=True, after="ask")
    wf.node("check", "answer", "Context", after="topic:multiple", auto_continue=False)
    wf.node("more", "text_input", "Anything else?", after="check:unknown")
    wf.node("loop", "feedback", "{{ node.check.runs.1.result }}", after="more")
    wf.connect("loop", "ok", "check")
    wf.connect("topic", "error", "more")
    notes = [str(n) for n in dify.export(wf).warnings]
    expected = [
        "multiple_answers: Dify's classifier picks one class",
        "node 'topic': its relations on labeled_multiple have no Dify edge",
        "node 'topic': its relations on error have no Dify edge (Dify's question-classifier node has no",
        "node 'check': auto_continue is false",
        "node 'check': its relations on answer_unknown have no Dify edge",
        "node 'more': a Text - Input mid-run asks a person",
        "node 'loop': node.check.runs.1: a Dify node runs once per run",
        "form a cycle",
    ]
    for part in expected:
        assert any(part in note for note in notes), (part, notes)
