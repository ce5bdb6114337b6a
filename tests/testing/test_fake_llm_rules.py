"""Rule matching and replies of the fake OpenAI server, through the real client and on their own."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openai import OpenAI

from flow_nb.testing import FakeLLM, Fault, Rule, last_user_text
from flow_nb.testing.wire import split_tokens


@pytest.fixture
def client(fake_llm: FakeLLM) -> Iterator[OpenAI]:
    with OpenAI(base_url=fake_llm.base_url, api_key="test", max_retries=0) as c:
        yield c


def ask(client: OpenAI, messages: list[Any]) -> str | None:
    return client.chat.completions.create(model="m", messages=messages).choices[0].message.content


def convo(system: str, *users: str) -> list[Any]:
    return [{"role": "system", "content": system}] + [{"role": "user", "content": u} for u in users]


def test_matching_targets_and_first_match_wins(fake_llm: FakeLLM, client: OpenAI) -> None:
    fake_llm.rules[:] = [
        Rule(match="refund", reply="user-rule"),
        Rule(match=re.compile(r"classif(y|ier)", re.I), on="system", reply='{"labels": ["billing"]}'),
        Rule(match="needle", on="any", reply="any-rule"),
        Rule(match=lambda req: req.get("temperature") == 0.5, reply="callable-rule"),
        Rule(match="refund", reply="never: shadowed by the first rule"),
    ]
    assert ask(client, convo("be nice", "I want a Refund")) == "user-rule"
    assert ask(client, convo("You are a CLASSIFIER", "hello")) == '{"labels": ["billing"]}'
    # "user" looks only at the last user message; "any" sees them all.
    assert ask(client, convo("be nice", "refund", "thanks")) == "OK"
    assert ask(client, convo("be nice", "a needle here", "thanks")) == "any-rule"
    assert ask(client, convo("needle in system", "x")) == "any-rule"
    response = client.chat.completions.create(model="m", messages=convo("s", "x"), temperature=0.5)
    assert response.choices[0].message.content == "callable-rule"
    assert ask(client, convo("be nice", "unrelated")) == "OK"


def test_developer_messages_count_as_system(fake_llm: FakeLLM, client: OpenAI) -> None:
    fake_llm.add_rule(Rule(match="triage", on="system", reply="triaged"))
    assert (
        ask(client, [{"role": "developer", "content": "Triage this"}, {"role": "user", "content": "x"}])
        == "triaged"
    )


def test_content_parts_are_matched_and_counted(fake_llm: FakeLLM, client: OpenAI) -> None:
    fake_llm.add_rule(Rule(match="picture", reply="a cat"))
    parts: list[Any] = [
        {"type": "text", "text": "What is in this picture?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
    ]
    response = client.chat.completions.create(model="m", messages=[{"role": "user", "content": parts}])
    assert response.choices[0].message.content == "a cat"
    assert response.usage is not None and response.usage.prompt_tokens == 6 + 85


def test_list_replies_cycle_and_reset_restarts_them(fake_llm: FakeLLM, client: OpenAI) -> None:
    fake_llm.add_rule(Rule(match=None, reply=["one", "two", "three"]))
    assert [ask(client, convo("s", "x")) for _ in range(4)] == ["one", "two", "three", "one"]
    assert len(fake_llm.requests) == 4
    fake_llm.reset()
    assert fake_llm.requests == []
    assert ask(client, convo("s", "x")) == "one"


def test_callable_replies_and_default(fake_llm: FakeLLM, client: OpenAI) -> None:
    fake_llm.add_rule(Rule(match="echo", reply=lambda req: "you said: " + last_user_text(req)))
    assert ask(client, convo("s", "echo this")) == "you said: echo this"
    fake_llm.default_reply = lambda req: f"{len(req['messages'])} messages"
    assert ask(client, convo("s", "a", "b")) == "3 messages"


def test_fault_times_then_reply_uses_its_own_reply_list(fake_llm: FakeLLM, client: OpenAI) -> None:
    fake_llm.add_rule(Rule(match="x", reply=["first", "second"], fault=Fault.SERVER_ERROR, times=1))
    with pytest.raises(Exception, match="500"):
        ask(client, convo("s", "x"))
    assert [ask(client, convo("s", "x")) for _ in range(3)] == ["first", "second", "first"]


def test_a_failing_rule_is_reported_to_the_client(fake_llm: FakeLLM, client: OpenAI) -> None:
    def boom(req: dict[str, Any]) -> str:
        raise KeyError("no such thing")

    fake_llm.add_rule(Rule(match=None, reply=boom))
    # The rule's function runs in the server thread; its error comes back as a 500 naming it.
    with pytest.raises(Exception, match="FakeLLM rule failed"):
        ask(client, convo("s", "x"))


def test_embeddings_similar_texts_are_closer(client: OpenAI) -> None:
    texts = [
        "How do I get a refund for my order?",
        "refund for my order please",
        "The weather in Paris is sunny today",
    ]
    response = client.embeddings.create(model="emb", input=texts)
    vectors = [d.embedding for d in response.data]
    assert [len(v) for v in vectors] == [64, 64, 64]

    def cos(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b, strict=True))

    assert cos(vectors[0], vectors[0]) == pytest.approx(1.0, abs=1e-5)
    assert cos(vectors[0], vectors[1]) > cos(vectors[0], vectors[2]) + 0.3
    assert response.usage.prompt_tokens == response.usage.total_tokens == 10 + 5 + 7
    # Asking for floats gives the same numbers as the client's default base64 transport.
    floats = client.embeddings.create(model="emb", input=texts[0], encoding_format="float", dimensions=64)
    assert floats.data[0].embedding == pytest.approx(vectors[0], abs=1e-6)
    assert len(client.embeddings.create(model="emb", input="x", dimensions=8).data[0].embedding) == 8


def test_rule_from_dict() -> None:
    rule = Rule.from_dict({"match": "^clas+ify", "regex": True, "on": "system", "reply": ["a", "b"]})
    assert isinstance(rule.match, re.Pattern) and rule.match.flags & re.IGNORECASE
    assert rule.matches({"messages": convo("CLASSIFY this", "x")})
    flaky = Rule.from_dict(
        {"match": "x", "fault": "rate_limit", "times": 2, "latency": 0.5, "reasoning": "hm"}
    )
    assert (flaky.fault, flaky.times, flaky.latency, flaky.reasoning) == (Fault.RATE_LIMIT, 2, 0.5, "hm")
    assert Rule.from_dict({"match": None}).matches({"messages": []})
    with pytest.raises(ValueError, match="Unknown rule keys"):
        Rule.from_dict({"match": "x", "replies": "y"})
    with pytest.raises(ValueError, match="explode"):
        Rule.from_dict({"match": "x", "fault": "explode"})


def test_rule_validation() -> None:
    with pytest.raises(ValueError, match="limits a fault"):
        Rule(match="x", reply="y", times=1)
    with pytest.raises(ValueError, match=r"Rule\.on"):
        Rule(match="x", on="assistant")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty list"):
        Rule(match="x", reply=[])


@given(st.text())
def test_stream_tokens_join_back_to_the_text(text: str) -> None:
    assert "".join(split_tokens(text)) == text
