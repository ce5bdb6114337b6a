"""Every refusal names what is wrong, and a refused change leaves the workflow as it was."""

from __future__ import annotations

import copy

import pytest

import flow_nb as fn


@pytest.fixture
def wf() -> fn.Workflow:
    wf = fn.Workflow("support")
    wf.node("ask", "text_input", "How can I help you today?", start=True)
    wf.node("money", "boolean", "Is the input related to money?", after="ask")
    wf.node("refuse", "feedback", "Sorry.", after="money:true")
    return wf


def refused(wf: fn.Workflow, error: type[Exception], match: str, change) -> fn.FlowError:
    before = copy.deepcopy(wf.export())
    with pytest.raises(error, match=match) as info:
        change()
    assert wf.export() == before, "a refused change must leave the workflow as it was"
    return info.value


def test_two_nodes_sharing_a_key(wf: fn.Workflow) -> None:
    # "Money Talk" and "money talk" have the same key money_talk
    wf.node("Money Talk", "feedback", "x")
    nodes = [*wf.nodes, wf.nodes[-1].model_copy(update={"id": "other", "name": "money talk"})]
    with pytest.raises(
        fn.DefinitionError, match="nodes 'Money Talk' and 'money talk' share the key 'money_talk'"
    ):
        fn.Workflow("w", nodes=nodes)


def test_relation_to_an_unknown_node(wf: fn.Workflow) -> None:
    error = refused(
        wf,
        fn.UnknownNodeError,
        r"workflow 'support' has no node 'nowhere'; its nodes are: ask, money, refuse",
        lambda: wf.connect("money", "false", "nowhere"),
    )
    assert error.node == "nowhere"
    refused(
        wf, fn.UnknownNodeError, "has no node 'ghost'", lambda: wf.node("x", "feedback", "y", after="ghost")
    )


def test_relation_with_unknown_node_id_in_data(wf: fn.Workflow) -> None:
    data = wf.export()
    data["relations"][0]["source"] = "no-such-id"
    with pytest.raises(fn.FormatError, match="names an unknown source node 'no-such-id'"):
        fn.Workflow.load(data)


def test_condition_the_source_type_cannot_meet(wf: fn.Workflow) -> None:
    error = refused(
        wf,
        fn.ConditionError,
        r"node 'money' \(boolean\) cannot meet the condition 'known'; "
        r"its conditions are: false, true, undecided, error",
        lambda: wf.connect("money", "known", "refuse"),
    )
    assert error.node == "money" and error.field == "condition"
    refused(
        wf,
        fn.ConditionError,
        "cannot meet the condition 'label:x'",
        lambda: wf.node("r2", "feedback", "x", after="money:label:x"),
    )


def test_ambiguous_after_asks_for_the_condition(wf: fn.Workflow) -> None:
    refused(
        wf,
        fn.ConditionError,
        r"say which condition of 'money' \(boolean\) the relation fires on, e.g. money:false, money:true",
        lambda: wf.node("r2", "feedback", "x", after="money"),
    )


@pytest.mark.parametrize(
    ("type_", "config", "message"),
    [
        ("boolean", {}, r"node 'n' \(boolean\): criteria is required"),
        ("boolean", {"criteria": "   "}, r"node 'n' \(boolean\): criteria: must not be empty"),
        ("classification", {}, r"node 'n' \(classification\): labels is required"),
        (
            "classification",
            {"labels": []},
            r"node 'n' \(classification\): labels: List should have at least 1 item",
        ),
        ("http_output", {}, r"node 'n' \(http_output\): endpoint is required"),
        ("assistant", {}, r"node 'n' \(assistant\): command is required"),
        (
            "generate",
            {"n_items": 0},
            r"node 'n' \(generate\): n_items: Input should be greater than or equal to 1",
        ),
        (
            "boolean",
            {"criteria": "x", "colour": "red"},
            r"node 'n' \(boolean\): colour is not a known attribute",
        ),
    ],
)
def test_missing_or_bad_config(wf: fn.Workflow, type_: str, config: dict, message: str) -> None:
    error = refused(wf, fn.DefinitionError, message, lambda: wf.node("n", type_, **config))
    assert error.node == "n"


def test_classification_label_repeats(wf: fn.Workflow) -> None:
    refused(
        wf,
        fn.DefinitionError,
        r"node 'topic' \(classification\): labels: label 'Refund' repeats; give each label once",
        lambda: wf.node("topic", "classification", "refund: money back\nshipping\nRefund"),
    )


def test_updating_to_an_invalid_config_keeps_the_old_node(wf: fn.Workflow) -> None:
    refused(wf, fn.DefinitionError, "criteria: must not be empty", lambda: wf.node("money", "boolean", ""))


def test_changing_type_refused_while_relations_need_the_old_conditions(wf: fn.Workflow) -> None:
    refused(
        wf,
        fn.ConditionError,
        r"relation money → refuse: node 'money' \(classification\) cannot meet the condition 'boolean_true'",
        lambda: wf.node("money", "classification", "a\nb"),
    )


def test_a_workflow_without_a_start_node_builds_but_cannot_run() -> None:
    wf = fn.Workflow("w")
    wf.node("a", "feedback", "hi")
    assert fn.Workflow.load(wf.export()) == wf
    with pytest.raises(
        fn.NotRunnableError, match=r"workflow 'w' has no start node; mark one with start=True"
    ):
        wf.start_nodes()
    assert wf.start_nodes("a")[0].name == "a"
    with pytest.raises(fn.NotRunnableError, match="has no node 'b'"):
        wf.start_nodes("b")


def test_node_without_type_or_name() -> None:
    wf = fn.Workflow("w")
    with pytest.raises(fn.DefinitionError, match="node 'a' does not exist yet; give its type"):
        wf.node("a")
    with pytest.raises(fn.DefinitionError, match="a node needs a name"):
        wf.node("  ", "feedback", "x")


def test_disconnect_of_nothing_is_an_error(wf: fn.Workflow) -> None:
    refused(
        wf, fn.DefinitionError, "no relation matches 'money' false", lambda: wf.disconnect("money", "false")
    )


def test_no_bare_key_or_attribute_errors_on_garbage_documents() -> None:
    for garbage in [
        {},
        {"name": "w", "nodes": [{}]},
        {"name": "w", "nodes": [{"type": 5}]},
        {"name": "w", "nodes": [{"name": "a", "type": {"id": 99}}]},
        {"name": "w", "relations": [{}]},
        {"name": "w", "nodes": "x"},
        {"name": "w", "format": "one"},
        {"name": "w", "format": 99},
        [],
    ]:
        with pytest.raises(fn.FormatError):
            fn.Workflow.load(garbage)  # type: ignore[arg-type]
