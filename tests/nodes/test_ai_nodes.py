"""Every AI node type through the real openai client against flow_nb.testing's server."""

from __future__ import annotations

import json

import pytest
from support import Web

import flow_nb as fn
from flow_nb.llm import OpenAIChat
from flow_nb.testing import FakeLLM, Rule


def one(wf: fn.Workflow, llm: OpenAIChat, text: str) -> fn.engine.NodeRun:
    record = wf.run(text, llm=llm)
    node = next(iter(record.nodes.values()))
    return node.runs[0]


@pytest.mark.parametrize(
    ("reply", "condition", "result"),
    [
        ('{"answer": "true"}', "boolean_true", "true"),
        ('{"answer": "false"}', "boolean_false", "false"),
        ('{"answer": "undecided"}', "boolean_undecided", "undecided"),
        ("Yes, this is clearly about money.", "boolean_true", "true"),  # a small model's prose
        ('```json\n{"answer": false}\n```', "boolean_false", "false"),
        ("Hmm, hard to say.", "boolean_undecided", "undecided"),
    ],
)
def test_boolean_branches(
    fake_llm: FakeLLM, llm: OpenAIChat, reply: str, condition: str, result: str
) -> None:
    fake_llm.add_rule(Rule(match=None, reply=reply))
    wf = fn.Workflow("w")
    wf.node("money", "boolean", "Is the input related to money?", start=True, pass_input_as_result=False)
    run = one(wf, llm, "Can I get a refund?")
    assert run.condition == condition and run.result == result
    sent = fake_llm.requests[-1]
    assert "Is the input related to money?" in json.dumps(sent["messages"])
    assert sent["stream"] is True and sent["response_format"]["type"] == "json_schema"


def test_boolean_passes_its_input_by_default_and_branches_to_the_right_node(
    fake_llm: FakeLLM, llm: OpenAIChat
) -> None:
    fake_llm.add_rule(Rule(match="refund", reply="true"))
    fake_llm.add_rule(Rule(match=None, reply="false"))
    wf = fn.Workflow("support")
    wf.node("ask", "text_input", "How can I help you today?", start=True)
    wf.node("money", "boolean", "Is the input related to money?", after="ask")
    wf.node("refuse", "feedback", "Sorry, we do not answer money related questions.", after="money:true")
    wf.node("forward", "feedback", "I will forward your message: {{result}}", after="money:false")
    refund = wf.run("Can I get a refund?", llm=llm)
    assert refund.results == ["Sorry, we do not answer money related questions."]
    assert (
        refund.nodes["money"].runs[0].result == "Can I get a refund?"
    )  # pass_input_as_result (seed default)
    parcel = wf.run("Where is my parcel?", llm=llm)
    assert parcel.results == ["I will forward your message: Where is my parcel?"]
    assert parcel.path == ["ask:text_received", "money:boolean_false", "forward:human_feedback_text_ok"]


def test_boolean_without_undecided_refuses_an_unreadable_answer(fake_llm: FakeLLM, llm: OpenAIChat) -> None:
    fake_llm.add_rule(Rule(match=None, reply="I like turtles"))
    wf = fn.Workflow("w")
    wf.node("b", "boolean", "Is it about money?", start=True, undecided=False)
    with pytest.raises(
        fn.NodeRunError, match="the model answered 'I like turtles', which is neither true nor false"
    ):
        wf.run("x", llm=llm)


@pytest.mark.parametrize(
    ("reply", "multiple", "unclassified", "labels", "conditions"),
    [
        ('{"labels": ["billing"]}', False, True, ["billing"], ["labeled_one", "label:billing"]),
        (
            '{"labels": ["billing", "shipping"]}',
            True,
            True,
            ["billing", "shipping"],
            ["labeled_multiple", "label:billing", "label:shipping"],
        ),
        ('{"labels": ["billing", "shipping"]}', False, True, ["billing"], ["labeled_one", "label:billing"]),
        ('{"labels": []}', False, True, [], ["labeled_none"]),
        ("I would say this is about Shipping.", False, True, ["shipping"], ["labeled_one", "label:shipping"]),
        ('{"labels": ["astrology"]}', False, True, [], ["labeled_none"]),
    ],
)
def test_classification(
    fake_llm: FakeLLM, llm: OpenAIChat, reply, multiple, unclassified, labels, conditions
) -> None:
    fake_llm.add_rule(Rule(match=None, reply=reply))
    wf = fn.Workflow("w")
    wf.node(
        "topic",
        "classification",
        "billing: payments, refunds\nshipping: parcels",
        start=True,
        multiple_answers=multiple,
        unclassified=unclassified,
    )
    run = one(wf, llm, "x")
    assert run.result == labels
    assert [c.system_name for c in run.conditions.met] == conditions


def test_classification_label_conditions_route(fake_llm: FakeLLM, llm: OpenAIChat) -> None:
    fake_llm.add_rule(Rule(match=None, reply='{"labels": ["shipping"]}'))
    wf = fn.Workflow("w")
    wf.node("topic", "classification", "billing\nshipping", start=True)
    wf.node("bill", "feedback", "billing team", after="topic:label:billing")
    wf.node("ship", "feedback", "shipping team: {{result}}", after="topic:label:shipping")
    assert wf.run("x", llm=llm).results == ['shipping team: ["shipping"]']


def test_generate_gives_exactly_n_items(fake_llm: FakeLLM, llm: OpenAIChat) -> None:
    fake_llm.add_rule(Rule(match=None, reply='{"items": ["a", "b", "c", "d", "e", "f"]}'))
    wf = fn.Workflow("w")
    wf.node("ideas", "generate", "Podcast topics", start=True, n_items=4)
    run = one(wf, llm, "tech")
    assert run.result == ["a", "b", "c", "d"] and run.condition == "items_generated"


def test_generate_asks_again_for_missing_items_and_reads_bullets(fake_llm: FakeLLM, llm: OpenAIChat) -> None:
    fake_llm.add_rule(Rule(match=None, reply=["1. first idea\n2. second idea", "- third idea\n- fourth"]))
    wf = fn.Workflow("w")
    wf.node("ideas", "generate", "Ideas", start=True, n_items=3)
    run = one(wf, llm, "x")
    assert run.result == ["first idea", "second idea", "third idea"]
    assert len(fake_llm.requests) == 2


def test_generate_no_items(fake_llm: FakeLLM, llm: OpenAIChat) -> None:
    fake_llm.add_rule(Rule(match=None, reply='{"items": []}'))
    wf = fn.Workflow("w")
    wf.node("ideas", "generate", "Ideas", start=True)
    run = one(wf, llm, "x")
    assert run.result == [] and run.condition == "no_items"


def test_answer_known_and_unknown(fake_llm: FakeLLM, llm: OpenAIChat) -> None:
    fake_llm.add_rule(Rule(match="president", reply="Joe Biden is the president of the USA in 2023"))
    fake_llm.add_rule(Rule(match=None, reply="Unknown."))
    wf = fn.Workflow("w")
    wf.node("answer", "answer", "Be brief.", start=True)
    wf.node("known", "feedback", "Formatted example answer: {{result}}", after="answer:known")
    wf.node("unknown", "feedback", "No answer", after="answer:unknown")
    known = wf.run("Who is the president of the USA in 2023?", llm=llm)
    assert known.results == ["Formatted example answer: Joe Biden is the president of the USA in 2023"]
    assert "Unknown" in json.dumps(
        fake_llm.requests[0]["messages"]
    )  # cannot_answer instruction (seed default)
    unknown = wf.run("Is the moon made of cheese on Tuesdays?", llm=llm)
    assert unknown.results == ["No answer"]
    assert unknown.nodes["answer"].runs[0].result == "Unknown"


def test_answer_streams_tokens_and_counts_usage(fake_llm: FakeLLM, llm: OpenAIChat) -> None:
    fake_llm.add_rule(Rule(match=None, reply="Paris is the capital of France.", reasoning="Capital cities."))
    wf = fn.Workflow("w")
    wf.node("answer", "answer", start=True, cannot_answer=False)
    record = wf.run("Capital of France?", llm=llm)
    run = record.nodes["answer"].runs[0]
    assert run.tokens == "Paris is the capital of France."
    assert run.reasoning == "Capital cities."
    assert run.usage.total_tokens > 0 and record.total_tokens == run.usage.total_tokens


def test_assistant_completed_and_failed(fake_llm: FakeLLM, llm: OpenAIChat) -> None:
    fake_llm.add_rule(Rule(match="names", reply="CANNOT COMPLETE: there are no names in the text"))
    fake_llm.add_rule(Rule(match=None, reply="A short summary."))
    wf = fn.Workflow("w")
    wf.node("do", "assistant", "Summarize the input into three sentences", start=True)
    done = one(wf, llm, "long text")
    assert done.result == "A short summary." and done.condition == "command_completed"
    failed = one(wf, llm, "extract names from nothing")
    assert failed.condition == "command_failed" and failed.result == "there are no names in the text"


def test_vision_sends_the_image_and_refuses_what_is_not_one(
    fake_llm: FakeLLM, llm: OpenAIChat, web: Web
) -> None:
    fake_llm.add_rule(Rule(match=None, reply="a cat with sunglasses sitting on a table"))
    wf = fn.Workflow("w")
    wf.node("see", "vision", start=True)
    ok = one(wf, llm, f"{web.url}/cat.png")
    assert ok.condition == "image_ok" and ok.result == "a cat with sunglasses sitting on a table"
    parts = fake_llm.requests[-1]["messages"][0]["content"]
    assert parts[1]["type"] == "image_url" and parts[1]["image_url"]["url"].startswith(
        "data:image/png;base64,"
    )
    for path, message in [
        ("/page.html", "holds text/html, not an image"),
        ("/big.png", "larger than 2 MB"),
        ("/missing.png", "answered HTTP 404"),
    ]:
        bad = one(wf, llm, f"{web.url}{path}")
        assert bad.condition == "image_error" and message in bad.message
    assert one(wf, llm, "not a url").condition == "image_error"
    assert len(fake_llm.requests) == 1  # no model call for a refused image


def test_vision_question(fake_llm: FakeLLM, llm: OpenAIChat, web: Web) -> None:
    fake_llm.add_rule(Rule(match=None, reply="yes"))
    wf = fn.Workflow("w")
    wf.node("see", "vision", "do you see an animal?", start=True)
    assert one(wf, llm, f"{web.url}/cat.png").result == "yes"
    assert fake_llm.requests[-1]["messages"][0]["content"][0]["text"] == "do you see an animal?"
