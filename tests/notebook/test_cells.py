"""%%flow cells in a real IPython shell: the DESIGN.md §7 example as written, every option, every error."""

from __future__ import annotations

from typing import Any

import pytest
from IPython.core.error import UsageError

import flow_nb as fn
from flow_nb import registry


def cell(ip: Any, line: str, body: str = "") -> Any:
    return ip.run_cell_magic("flow", line, body)


def support(ip: Any) -> fn.Workflow:
    cell(ip, "ask text_input --workflow support --start", "How can I help you today?")
    cell(ip, "money boolean --after ask", "Is the input related to money?")
    cell(ip, "refuse feedback --after money:true", "Sorry, we do not answer money related questions.")
    cell(
        ip, "forward feedback --after money:false", "I will forward your message to a customer service agent."
    )
    return registry.get("support")


def test_the_design_example_runs_exactly_as_written(ip: Any) -> None:
    wf = support(ip)
    assert [n.key for n in wf.nodes] == ["ask", "money", "refuse", "forward"]
    record = ip.run_line_magic("flow", 'run support "Can I get a refund?"')
    assert record.status == "FINISHED"
    assert record.results == ["Sorry, we do not answer money related questions."]
    assert record.nodes["money"].runs[0].conditions.met[0].system_name == "boolean_true"
    parcel = ip.run_line_magic("flow", 'run support "Where is my parcel?"')
    assert parcel.results == ["I will forward your message to a customer service agent."]
    assert fn.workflow("support") is wf  # the Python twin


def test_rerunning_a_cell_updates_the_node_in_place(ip: Any) -> None:
    wf = support(ip)
    money_id = wf["money"].id
    cell(ip, "money boolean --after ask --no-undecided", "Is it about payments?")
    assert wf["money"].id == money_id
    assert wf["money"].config.criteria == "Is it about payments?" and wf["money"].config.undecided is False
    assert len(wf.relations) == 3  # its relations were kept
    cell(ip, "money boolean --after ask", "Is it about payments?")
    assert wf["money"].config.undecided is True  # the cell defines the node whole: back to the default


def test_after_relations_follow_the_cell(ip: Any) -> None:
    wf = support(ip)
    cell(ip, "refuse feedback --after money:undecided", "Sorry.")
    wiring = {(wf[r.source].key, r.condition.system_name, wf[r.target].key) for r in wf.relations}
    assert ("money", "boolean_true", "refuse") not in wiring  # dropped from the cell, so gone
    assert ("money", "boolean_undecided", "refuse") in wiring


def test_every_config_attribute_from_the_cell(ip: Any) -> None:
    cell(
        ip,
        "topic classification --workflow w --start --multiple --no-unclassified --model m1 --temperature 0.2",
        "billing: payments and refunds\nshipping: parcels",
    )
    cell(ip, "ideas generate --n-items 3 --after topic:label:billing", "Podcast topics")
    cell(
        ip,
        "hook http_output --header X-Token=abc --timeout 5 --after ideas",
        '---\nsecret_headers: ["X-Token"]\n---\nhttp://127.0.0.1:9/hook',
    )
    cell(ip, "see vision --no-caption --description 'look at it' --position 10,20", "do you see an animal?")
    cell(ip, "answer answer --no-cannot-answer --data-source docs --tool search", "Our shop opens at 9.")
    cell(ip, "name text_input --placeholder Ada --no-display-result", "Your name?")
    cell(ip, "c code --timeout 2 --pass-input", "return input.upper()")
    cell(ip, "s data_search --top-k 7", "docs")
    cell(ip, "draft assistant --no-auto-continue", "Write a friendly reply")
    wf = registry.get("w")
    topic = wf["topic"]
    assert topic.start_node and topic.config.multiple_answers and not topic.config.unclassified
    assert (topic.config.model, topic.config.temperature) == ("m1", 0.2)
    assert [label.context for label in topic.config.labels] == ["payments and refunds", "parcels"]
    assert wf["ideas"].config.n_items == 3
    hook = wf["hook"].config
    assert hook.headers == {"X-Token": "abc"} and hook.secret_headers == ["X-Token"] and hook.timeout == 5
    assert hook.endpoint == "http://127.0.0.1:9/hook"
    see = wf["see"]
    assert see.config.caption is False and see.description == "look at it" and see.position.x == 10
    assert wf["answer"].config.cannot_answer is False and wf["answer"].config.tools == ["search"]
    assert wf["name"].config.input_placeholder == "Ada" and wf["name"].display_result is False
    assert wf["c"].pass_input_as_result is True and wf["c"].config.timeout == 2
    assert wf["s"].config.top_k == 7 and wf["draft"].auto_continue is False


def test_relations_cell_sets_all_relations(ip: Any) -> None:
    wf = support(ip)
    cell(
        ip,
        "relations support",
        "ask -> money\nmoney:true → refuse\nmoney:false, money:undecided -> forward  # both",
    )
    wiring = [(wf[r.source].key, r.condition.system_name, wf[r.target].key) for r in wf.relations]
    assert wiring == [
        ("ask", "text_received", "money"),
        ("money", "boolean_true", "refuse"),
        ("money", "boolean_false", "forward"),
        ("money", "boolean_undecided", "forward"),
    ]


@pytest.mark.parametrize(
    ("line", "body", "message"),
    [
        ("money bool", "x", "%%flow line 1: unknown node type 'bool'; the node types are: answer,"),
        (
            "money boolean --after ask --frobnicate",
            "x",
            "%%flow line 1: unrecognized arguments: --frobnicate",
        ),
        (
            "money boolean --after ghost",
            "x",
            "%%flow line 1: --after ghost: workflow 'support' has no node 'ghost'",
        ),
        (
            "money boolean --after ask:known",
            "x",
            "%%flow line 1: --after ask:known: node 'ask' (text_input) cannot meet",
        ),
        ("money", "x", "%%flow line 1: a node cell starts `%%flow NAME TYPE`"),
        ("money boolean --n-items 3", "x", "%%flow line 1: unrecognized arguments: --n-items 3"),
        (
            "ideas generate --n-items three",
            "x",
            "%%flow line 1: argument --n-items: invalid int value: 'three'",
        ),
        (
            "topic classification",
            "billing\nshipping\nBilling",
            "%%flow line 4: node 'topic' (classification): labels: label 'Billing' repeats",
        ),
        (
            "out feedback",
            "Hello {{ result }",
            "%%flow line 2: node 'out' (feedback): text_display: template error at line 1",
        ),
        ("c code", "\n\nreturn (", "%%flow line 4: node 'c' (code): code: Python syntax error at line 1"),
        (
            "hook http_output",
            "---\ntimeout: -1\n---\nhttp://x",
            "%%flow line 3: node 'hook' (http_output): timeout: Input should be greater than 0",
        ),
        (
            "hook http_output",
            "---\nnot a pair\n---\nhttp://x",
            "%%flow line 3: front matter lines are `key: value`",
        ),
        ("s data_search --top-k 7", "\n", "%%flow line 1: node 's' (data_search): data_source is required"),
        (
            "relations support",
            "ask -> \nmoney:true -> refuse",
            "%%flow line 2: a relation reads `source[:condition] -> target`",
        ),
        (
            "relations support",
            "ask -> money\nmoney:maybe -> refuse",
            "%%flow line 3: node 'money' (boolean) cannot meet the condition 'maybe'",
        ),
        ("x boolean --position 1", "y", "%%flow line 1: --position takes X,Y"),
    ],
)
def test_a_bad_cell_is_one_line_naming_the_line_and_changes_nothing(
    ip: Any, line: str, body: str, message: str
) -> None:
    wf = support(ip)
    before = wf.export()
    with pytest.raises(UsageError) as info:
        cell(ip, line, body)
    assert str(info.value).startswith(message), str(info.value)
    assert "\n" not in str(info.value)
    assert wf.export() == before
    assert registry.names() == ["support"]


def test_a_bad_cell_for_a_new_workflow_leaves_no_workflow(ip: Any) -> None:
    with pytest.raises(UsageError):
        cell(ip, "money boolean --workflow fresh", "")
    assert "fresh" not in registry.names()


def test_test_option_runs_only_this_node(ip: Any) -> None:
    support(ip)
    record = cell(
        ip, "money boolean --after ask --test 'Can I get a refund?'", "Is the input related to money?"
    )
    assert list(record.nodes) == ["money"]
    assert record.nodes["money"].runs[0].conditions.met[0].system_name == "boolean_true"
