"""Every node type's defaults and conditions, checked against the seed (001_0b43115d3944be80.txt)."""

from __future__ import annotations

import pytest

import flow_nb as fn
from flow_nb.model import ERROR, get_type

# (type key, the seed's name, {general attribute: default}, {config attribute: default},
#  [(condition id, display name as the seed gives it)])
SEED = [
    (
        "answer",
        "AI - Answer question",
        {},
        {"cannot_answer": True, "context": None, "data_source": None},
        [(1200, "Answer is known"), (1201, "Answer is unknown")],
    ),
    (
        "assistant",
        "AI - Assistant",
        {},
        {},
        [(1300, "Completed command"), (1301, "Could not complete command")],
    ),
    # "undecided ... By default true (enabled)"; "pass_input_as_result ... By default true (enabled)."
    (
        "boolean",
        "AI - Boolean",
        {"pass_input_as_result": True},
        {"undecided": True},
        [(1100, "Boolean is false"), (1101, "Boolean is true"), (1102, "Boolean undecided")],
    ),
    # "multiple_answers ... By default false"; "unclassified ... By default true"
    (
        "classification",
        "AI - Classification",
        {},
        {"multiple_answers": False, "unclassified": True},
        [
            (1000, "Labeled 0 items (Unclassified)"),
            (1002, "Labeled 1 item"),
            (1003, "Labeled multiple items"),
        ],
    ),
    # "n_items optional integer ... By default 5"
    (
        "generate",
        "AI - Generate",
        {},
        {"n_items": 5},
        [(1500, "No items are generated"), (1501, "One or more items are generated")],
    ),
    # "caption optional boolean Captions the image. By default true"; "question ... By default null"
    (
        "vision",
        "AI - Vision",
        {},
        {"caption": True, "question": None},
        [(1400, "Image processed OK"), (1401, "Image processing error")],
    ),
    # auto_continue "true, except for nodes that always require input from a user (e.g. Text - Input)";
    # display_result "false for most nodes, except ... Text - Feedback and Text - Input"
    (
        "text_input",
        "Text - Input",
        {"auto_continue": False, "display_result": True},
        {"text_display": None, "input_placeholder": None},
        [(20100, "Text received")],
    ),
    (
        "text_output",
        "Text - Output",
        {},
        {"text_display": None},
        [(20000, "Feedback text OK"), (20001, "Error in human feedback text")],
    ),
    (
        "feedback",
        "Text - Feedback",
        {"display_result": True},
        {"text_display": None},
        [(20000, "Feedback text OK"), (20001, "Error in human feedback text")],
    ),
    (
        "http_output",
        "HTTP Output",
        {},
        {"headers": {}},
        [
            (20200, "JSON data returned by the webhook"),
            (20201, "HTTP Response status code is 200"),
            (20202, "HTTP Response status code is NOT 200"),
        ],
    ),
    ("code", "Custom code", {}, {}, [(30000, "Code ran OK"), (30001, "Code raised an error")]),
    (
        "data_search",
        "Data Item - Search",
        {},
        {"top_k": 3},
        [(31000, "Items found"), (31001, "No items found")],
    ),
]

REQUIRED = {
    "assistant": {"command": "Summarize"},
    "boolean": {"criteria": "Is it about money?"},
    "classification": {"labels": "refund\nother"},
    "http_output": {"endpoint": "http://127.0.0.1:9/hook"},
    "code": {"code": "result = input"},
    "data_search": {"data_source": "docs"},
}


@pytest.mark.parametrize(
    ("key", "seed_name", "general", "config", "conditions"), SEED, ids=[s[0] for s in SEED]
)
def test_type_matches_the_seed(key, seed_name, general, config, conditions) -> None:
    node_type = get_type(key)
    assert node_type.display_name == seed_name
    assert get_type(seed_name) is node_type  # found by the seed's name too
    assert get_type(node_type.type_id) is node_type
    wf = fn.Workflow("w")
    node = wf.node("n", key, **REQUIRED.get(key, {}))
    expected_general = {
        "auto_continue": True,
        "display_result": False,
        "pass_input_as_result": False,
        **general,
    }
    for attribute, value in expected_general.items():
        assert getattr(node, attribute) is value, attribute
    for attribute, value in config.items():
        assert getattr(node.config, attribute) == value, attribute
    met = [(c.id, c.display_name) for c in node.conditions()]
    if key == "classification":  # plus one label:<name> condition per label
        assert met[3:5] == [("label:refund", "Labeled refund"), ("label:other", "Labeled other")]
        met = met[:3] + met[5:]
    assert met == [*conditions, (ERROR.id, ERROR.display_name)]


def test_the_seed_type_ids_where_it_gives_them() -> None:
    # progress JSON: "type": {"display_name": "AI - Answer question", "id": 9}; Text - Feedback "id": 3
    assert get_type("answer").type_id == 9
    assert get_type("feedback").type_id == 3


def test_condition_names_are_unambiguous_within_each_type() -> None:
    for node_type in fn.all_types():
        wf = fn.Workflow("w")
        node = wf.node("n", node_type.key, **REQUIRED.get(node_type.key, {}))
        names = [name for c in node.conditions() for name in c.names()]
        assert len(names) == len(set(names)), node_type.key
        if node_type.default_condition is not None:
            assert node.resolve_condition(node_type.default_condition)


def test_every_type_has_a_distinct_id_and_a_family() -> None:
    types = list(fn.all_types())
    assert len({t.type_id for t in types}) == len(types) == 12
    assert {t.family for t in types} == {"ai", "text", "http", "code", "data"}


def test_unknown_type_lists_the_known_ones() -> None:
    with pytest.raises(fn.DefinitionError, match=r"unknown node type 'bool'; the node types are: answer, "):
        fn.Workflow("w").node("n", "bool", "x")


def test_seed_config_spelling_cannot_answer_allowed_is_accepted() -> None:
    # the seed's progress JSON shows "cannot_answer_allowed": true in an answer node's config
    node = fn.Workflow("w").node("n", "answer", cannot_answer_allowed=False)
    assert node.config.cannot_answer is False
