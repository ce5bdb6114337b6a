"""Pauses for people: a text_input reached mid-run, and auto_continue: false."""

from __future__ import annotations

import asyncio

import pytest
from support import run_async

import flow_nb as fn
from flow_nb.engine import InputRequested
from flow_nb.workflow import Answer


def chat() -> fn.Workflow:
    wf = fn.Workflow("w")
    wf.node("hello", "feedback", "Hello! What is your name?", start=True)
    wf.node("name", "text_input", "Your name, please", after="hello", input_placeholder="Ada")
    wf.node("greet", "feedback", "Nice to meet you, {{result}}", after="name")
    return wf


def test_text_input_mid_run_waits_and_resumes() -> None:
    wf = chat()
    record = wf.run("hi")
    assert record.status == "WAITING"
    [request] = record.waiting
    assert (request.kind, request.node_key, request.prompt, request.placeholder) == (
        "text",
        "name",
        "Your name, please",
        "Ada",
    )
    run = wf.last_run
    assert run is not None
    run.respond("name", "Ada")
    final = run.join()
    assert final.status == "FINISHED"
    assert final.results == ["Hello! What is your name?", "Nice to meet you, Ada"]
    assert final.nodes["name"].runs[0].result == "Ada"


def test_on_request_answers_inline() -> None:
    asked: list[InputRequested] = []

    def answer(request: InputRequested) -> str:
        asked.append(request)
        return "Grace"

    record = chat().run("hi", on_request=answer)
    assert record.results[-1] == "Nice to meet you, Grace"
    assert [r.node_key for r in asked] == ["name"]


def approval_flow() -> fn.Workflow:
    wf = fn.Workflow("w")
    wf.node("draft", "code", "return 'Dear customer, ' + input", start=True, auto_continue=False)
    wf.node("send", "feedback", "SENT: {{result}}", after="draft")
    return wf


@pytest.mark.parametrize(
    ("answer", "results", "message"),
    [
        (None, ["SENT: Dear customer, thanks"], "OK"),
        (Answer("edit", "Dear Ada, thanks"), ["SENT: Dear Ada, thanks"], "edited by a person"),
        ("Hello, thanks", ["SENT: Hello, thanks"], "edited by a person"),
        (Answer("reject"), [], "rejected by a person"),
    ],
)
def test_auto_continue_false_waits_for_approve_edit_or_reject(answer, results, message) -> None:
    seen: list[InputRequested] = []

    def decide(request: InputRequested):
        seen.append(request)
        return answer

    record = approval_flow().run("thanks", on_request=decide)
    assert seen[0].kind == "approval" and seen[0].result == "Dear customer, thanks"
    assert record.status == "FINISHED" and record.results == results
    assert record.nodes["draft"].runs[0].message == message


def test_wrong_answers_are_refused_and_change_nothing() -> None:
    wf = approval_flow()
    record = wf.run("x")
    run = wf.last_run
    assert record.status == "WAITING" and run is not None
    with pytest.raises(fn.DefinitionError, match="waits for approve, edit, reject, not input"):
        run.respond("draft", "x", action="input")
    with pytest.raises(fn.DefinitionError, match="has no open request 'nobody'"):
        run.respond("nobody", "x")
    assert run.status == "WAITING"
    run.respond(action="approve")
    assert run.join().status == "FINISHED"


def test_parallel_branch_keeps_running_while_one_waits() -> None:
    wf = fn.Workflow("w")
    wf.node("start", "code", "return input", start=True)
    wf.node("ask", "text_input", "more?", after="start")
    wf.node("busy", "code", "return input + ' done'", after="start")

    async def go() -> None:
        run = wf.new_run("x").start()
        record = await run.wait(until_waiting=True)
        await asyncio.sleep(0.2)
        assert record.status == "WAITING"
        assert record.nodes["busy"].runs[0].result == "x done"  # the other branch went on
        run.respond("ask", "yes")
        final = await run.wait()
        assert final.status == "FINISHED" and final.nodes["ask"].runs[0].result == "yes"

    run_async(go())
