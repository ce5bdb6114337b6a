"""The builder API: the issue's example, updates in place, condition naming forms."""

from __future__ import annotations

import flow_nb as fn


def build() -> fn.Workflow:
    wf = fn.Workflow("support", variables={"company": "ACME"})
    wf.node("ask", "text_input", "How can I help you today?", start=True)
    wf.node("money", "boolean", "Is the input related to money?", after="ask")
    wf.node("refuse", "feedback", "Sorry, we do not answer money related questions.", after="money:true")
    wf.node(
        "forward", "feedback", "I will forward your message to a customer service agent.", after="money:false"
    )
    wf.connect("money", "undecided", "forward")
    return wf


def test_the_builder_example_exports_and_loads_back() -> None:
    wf = build()
    data = wf.export()
    same = fn.Workflow.load(data)
    assert same == wf
    assert fn.Workflow.load(wf.to_json()) == wf
    assert [n["name"] for n in data["nodes"]] == ["ask", "money", "refuse", "forward"]
    names = {n["id"]: n["name"] for n in data["nodes"]}
    wiring = [
        (names[r["source"]], r["condition"]["system_name"], names[r["target"]]) for r in data["relations"]
    ]
    assert wiring == [
        ("ask", "text_received", "money"),
        ("money", "boolean_true", "refuse"),
        ("money", "boolean_false", "forward"),
        ("money", "boolean_undecided", "forward"),
    ]
    assert data["relations"][1]["condition"] == {
        "id": 1101,
        "system_name": "boolean_true",
        "display_name": "Boolean is true",
    }
    assert data["nodes"][1]["type"] == {"id": 5, "system_name": "boolean", "display_name": "AI - Boolean"}
    assert data["variables"] == {"company": "ACME"}
    assert data["format"] == 2 and data["flow_nb_version"] == fn.__version__


def test_node_again_updates_in_place_keeping_id_and_relations() -> None:
    wf = build()
    before = wf["money"]
    relations = list(wf.relations)
    updated = wf.node("money", "boolean", "Is it about payments?")
    assert updated.id == before.id
    assert updated.config.criteria == "Is it about payments?"
    assert wf.relations == relations
    assert [n.name for n in wf.nodes] == ["ask", "money", "refuse", "forward"]  # same place
    # config not given is kept; the type may be omitted on update
    wf.node("money", undecided=False)
    assert wf["money"].config.criteria == "Is it about payments?" and wf["money"].config.undecided is False


def test_conditions_by_system_name_short_form_or_seed_id() -> None:
    wf = build()
    by_name = wf.connect("money", "boolean_true", "forward")
    by_id = wf.connect("money", 1101, "forward")
    by_text_id = wf.connect("money", "1101", "forward")
    assert by_name is by_id is by_text_id  # the same relation, not three
    wf.node("topic", "classification", "refund: asks for money back\nshipping", after="money:false")
    relation = wf.connect("topic", "label:refund", "refuse")
    assert relation.condition.system_name == "label:refund"
    assert wf.connect("topic", "labeled_none", "forward").condition.id == 1000


def test_lookup_by_key_name_or_id_and_removal() -> None:
    wf = fn.Workflow("w")
    node = wf.node("Answer node", "answer", start=True)
    assert node.key == "answer_node"
    assert wf["answer_node"] is wf["Answer node"] is wf[node.id]
    wf.node("out", "feedback", "{{result}}", after="answer_node:unknown")
    wf.remove("answer node")
    assert "answer_node" not in wf and wf.relations == []


def test_observers_see_every_change_and_can_stop() -> None:
    wf = fn.Workflow("w")
    seen: list[int] = []
    stop = wf.observe(lambda w: seen.append(len(w.nodes)))
    wf.node("a", "feedback", "x", start=True)
    wf.move("a", 10, 20)
    assert seen == [1, 1] and wf["a"].position is not None and wf["a"].position.x == 10
    stop()
    wf.node("b", "feedback", "y")
    assert seen == [1, 1]


def test_classification_labels_forms() -> None:
    wf = fn.Workflow("w")
    text = wf.node("a", "classification", "refund: wants money back\nshipping\n\n")
    listed = wf.node("b", "classification", labels=["refund: wants money back", "shipping"])
    mapping = wf.node("c", "classification", labels={"refund": "wants money back", "shipping": None})
    objects = wf.node(
        "d",
        "classification",
        labels=[{"label": "refund", "context": "wants money back"}, {"label": "shipping"}],
    )
    assert text.config == listed.config == mapping.config == objects.config
    assert [label.label for label in text.config.labels] == ["refund", "shipping"]
