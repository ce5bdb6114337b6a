"""A model that fails, hangs or answers garbage; cancellation mid-token."""

from __future__ import annotations

import pytest
from support import run_async

import flow_nb as fn
from flow_nb.engine import Token
from flow_nb.llm import OpenAIChat
from flow_nb.testing import FakeLLM, Fault, Rule


def assistant() -> fn.Workflow:
    wf = fn.Workflow("w")
    wf.node("do", "assistant", "Summarize", start=True)
    return wf


def test_429_then_success_is_retried(fake_llm: FakeLLM, llm: OpenAIChat) -> None:
    fake_llm.add_rule(Rule(match=None, reply="fine", fault=Fault.RATE_LIMIT, times=2))
    record = assistant().run("x", llm=llm)
    assert record.nodes["do"].runs[0].result == "fine"
    assert len(fake_llm.requests) == 3  # two 429s, then the answer: three tries


def test_persistent_500_fails_the_node_with_what_happened(fake_llm: FakeLLM, llm: OpenAIChat) -> None:
    fake_llm.add_rule(Rule(match=None, fault=Fault.SERVER_ERROR))
    with pytest.raises(
        fn.NodeRunError,
        match=r"node 'do' failed: the model endpoint http://127.0.0.1:\d+/v1 answered HTTP 500 \(3 tries\)",
    ):
        assistant().run("x", llm=llm)
    assert len(fake_llm.requests) == 3


def test_malformed_stream_is_a_clear_node_failure(fake_llm: FakeLLM, llm: OpenAIChat) -> None:
    fake_llm.add_rule(Rule(match=None, reply="abc", fault=Fault.MALFORMED))
    with pytest.raises(fn.NodeRunError, match="sent a malformed stream chunk"):
        assistant().run("x", llm=llm)


def test_a_hanging_model_times_out(fake_llm: FakeLLM) -> None:
    fake_llm.add_rule(Rule(match=None, fault=Fault.HANG))
    quick = OpenAIChat(base_url=fake_llm.base_url, api_key="k", model="m", timeout=0.3, max_retries=0)
    with pytest.raises(fn.NodeRunError, match=r"did not answer within 0.3 s \(1 tries\)"):
        assistant().run("x", llm=quick)
    quick.close()


def test_no_model_configured_says_how_to_configure(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(fn.NodeRunError, match="needs an LLM and none is configured: set OPENAI_BASE_URL"):
        assistant().run("x")


def test_cancel_mid_token_stops_the_run_and_keeps_finished_nodes(fake_llm: FakeLLM, llm: OpenAIChat) -> None:
    fake_llm.token_delay = 0.05
    fake_llm.add_rule(Rule(match=None, reply=" ".join(f"word{i}" for i in range(100))))
    wf = fn.Workflow("w")
    wf.node("first", "code", "return input", start=True)
    wf.node("do", "assistant", "Write", after="first")
    wf.node("after", "feedback", "never", after="do")

    async def go() -> fn.engine.RunRecord:
        run = wf.new_run("x", llm=llm).start()
        tokens = 0
        async for event in run.events():
            if isinstance(event, Token):
                tokens += 1
                if tokens == 3:
                    run.cancel()
        return run.record

    record = run_async(go())
    assert record.status == "STOPPED"
    assert record.nodes["first"].runs[0].status == "FINISHED"
    stopped = record.nodes["do"].runs[0]
    assert stopped.status == "STOPPED" and stopped.tokens.startswith("word0 word1 word2")
    assert "after" not in record.nodes
