"""Run semantics of the seed and DESIGN.md §5, on workflows of code and text nodes (no model)."""

from __future__ import annotations

import pytest
from support import Web, run_async

import flow_nb as fn
from flow_nb.engine import NodeFinished, NodeStarted, RunFinished, RunStarted


def test_bare_string_input_and_the_path_of_conditions() -> None:
    wf = fn.Workflow("w")
    wf.node("start", "code", "return input.upper()", start=True)
    wf.node("out", "feedback", "Got {{result}}", after="start")
    record = wf.run("hello")
    assert record.status == "FINISHED"
    assert record.input == {"input": "hello"}
    assert record.results == ["Got HELLO"]
    assert record.output == "Got HELLO"
    assert record.path == ["start:code_ok", "out:human_feedback_text_ok"]
    assert record.nodes["start"].runs[0].result == "HELLO"
    assert record.total_steps == 2 and record.credits == 2


def test_named_inputs_reach_the_start_node_and_templates() -> None:
    wf = fn.Workflow("w")
    wf.node("start", "code", "return sorted(input)", start=True)
    wf.node("out", "feedback", "{{inputs.city}} / {{result}}", after="start")
    record = wf.run({"city": "Oslo", "day": "Monday"})
    assert record.nodes["start"].runs[0].input == {"city": "Oslo", "day": "Monday"}
    assert record.results == ['Oslo / ["city", "day"]']


def test_every_relation_of_a_met_condition_fires_and_targets_run_concurrently() -> None:
    wf = fn.Workflow("w")
    wf.node("split", "code", "return input", start=True)
    for name in ("a", "b", "c"):
        wf.node(name, "code", "import time\ntime.sleep(0.2)\nreturn input + '" + name + "'", after="split")
    record = wf.run("x")
    runs = [record.nodes[n].runs[0] for n in ("a", "b", "c")]
    assert sorted(r.result for r in runs) == ["xa", "xb", "xc"]
    # concurrency: every branch started before any branch finished
    assert max(r.created for r in runs) < min(r.updated for r in runs)


def test_a_met_condition_without_relation_ends_the_branch() -> None:
    wf = fn.Workflow("w")
    wf.node("check", "code", "raise ValueError('bad input')", start=True)
    wf.node("fine", "feedback", "all good", after="check:ok")
    wf.node("handled", "feedback", "handled: {{node.check.run.message}}", after="check:code_error")
    record = wf.run("x")
    assert record.status == "FINISHED"  # the failure was handled by a relation
    assert "fine" not in record.nodes
    assert record.results == ["handled: the code raised ValueError: bad input"]
    check = record.nodes["check"].runs[0]
    assert check.status == "FAILED" and check.end_node is False
    assert [c.system_name for c in check.conditions.met] == ["code_error", "error"]
    assert [c.system_name for c in check.conditions.met_and_defined] == ["code_error"]
    assert record.nodes["handled"].runs[0].end_node is True


def test_an_unhandled_failure_fails_the_run_with_a_clear_error() -> None:
    wf = fn.Workflow("w")
    wf.node("check", "code", "return 1 / 0", start=True)
    with pytest.raises(
        fn.NodeRunError, match=r"node 'check' failed: the code raised ZeroDivisionError: division by zero"
    ) as info:
        wf.run("x")
    record = info.value.record  # type: ignore[attr-defined]
    assert record.status == "FAILED"
    assert record.nodes["check"].runs[0].status == "FAILED"
    unchecked = wf.run("x", check=False)
    assert unchecked.status == "FAILED" and "ZeroDivisionError" in (unchecked.error or "")


def test_the_universal_error_condition_can_be_wired() -> None:
    wf = fn.Workflow("w")
    wf.node("hook", "http_output", "http://127.0.0.1:9/unreachable", start=True, timeout=2)
    wf.node("sorry", "feedback", "could not deliver {{result}}", after="hook:error")
    record = wf.run("payload")
    assert record.status == "FINISHED"
    assert record.results == ["could not deliver payload"]  # the failed node's input goes on


def test_a_node_reached_twice_runs_twice_and_runs_i_variables() -> None:
    wf = fn.Workflow("w")
    wf.node("a", "code", "return input", start=True)
    wf.node("b", "code", "return input + '-b'", after="a")
    wf.node("c", "code", "import time\ntime.sleep(0.1)\nreturn input + '-c'", after="a")
    wf.node("d", "code", "return input + '!'", after=["b", "c"])
    wf.node(
        "e",
        "feedback",
        "first={{node.d.runs.0.result}} second={{node.d.runs.1.result}} run={{node.d.run.result}} "
        "index={{node.d.runs.1.index}} type={{node.d.type.display_name}}",
        after="c",
    )
    record = wf.run("x")
    d = record.nodes["d"].runs
    assert [r.index for r in d] == [0, 1]
    assert [r.result for r in d] == ["x-b!", "x-c!"]
    assert d[0].source_run_id == record.nodes["b"].runs[0].id
    e = record.nodes["e"].runs[0].result
    assert e.startswith("first=x-b! ")
    assert "run=x-b! index=" in e and "type=Custom code" in e


def test_missing_variables_use_the_seed_text() -> None:
    wf = fn.Workflow("w", variables={"company": "ACME", "empty": ""})
    wf.node(
        "out",
        "feedback",
        "{{workflow.company}}|{{workflow.nope}}|{{workflow.empty}}|{{workflow.run.tone}}|{{node.ghost.run.result}}|"
        "{{node.out.runs.3.result}}|{{nothing}}",
        start=True,
    )
    record = wf.run("x", variables={"tone": "warm"})
    assert record.results == [
        "ACME|*ERROR: Variable *workflow.nope* is empty or not existing*"
        "|*ERROR: Variable *workflow.empty* is empty or not existing*|warm"
        "|*ERROR: Variable *node.ghost.run.result* is empty or not existing*"
        "|*ERROR: Variable *node.out.runs.3.result* is empty or not existing*"
        "|*ERROR: Variable *nothing* is empty or not existing*"
    ]


def test_run_time_values_are_data_never_templates() -> None:
    wf = fn.Workflow("w")
    wf.node("out", "feedback", "You said: {{result}}", start=True)
    record = wf.run("{{ 7 * 7 }} {% for x in range(3) %}x{% endfor %}")
    assert record.results == ["You said: {{ 7 * 7 }} {% for x in range(3) %}x{% endfor %}"]


def test_templates_are_sandboxed() -> None:
    wf = fn.Workflow("w")
    wf.node("out", "feedback", "{{ result.__class__.__mro__[1].__subclasses__() }}", start=True)
    wf.node("oops", "feedback", "template refused: {{node.out.run.message}}", after="out:feedback_error")
    record = wf.run("x")
    assert record.nodes["out"].runs[0].status == "FAILED"
    assert record.results[0].startswith("template refused: text_display: template failed:")
    assert "<class" not in record.results[0]  # nothing of Python's internals leaked


def test_a_broken_template_is_refused_when_the_node_is_defined() -> None:
    wf = fn.Workflow("w")
    with pytest.raises(
        fn.DefinitionError,
        match=r"node 'out' \(feedback\): text_display: template error at line 1: unexpected '}'",
    ):
        wf.node("out", "feedback", "Hello {{ result }", start=True)
    assert wf.nodes == []


def test_variables_work_in_every_text_field(web: Web) -> None:
    wf = fn.Workflow("w", variables={"base": web.url})
    wf.node(
        "hook",
        "http_output",
        "{{workflow.base}}/hook/{{workflow.run.kind}}",
        start=True,
        headers={"X-Node": "{{node.hook.name}}"},
    )
    record = wf.run("x", variables={"kind": "json"})
    assert record.nodes["hook"].runs[0].condition == "json_returned"
    assert web.received[0]["path"] == "/hook/json" and web.received[0]["headers"]["X-Node"] == "hook"
    # the record keeps the node's config as defined, not as rendered
    assert record.nodes["hook"].runs[0].config["endpoint"] == "{{workflow.base}}/hook/{{workflow.run.kind}}"


def test_pass_input_as_result() -> None:
    wf = fn.Workflow("w")
    wf.node("a", "code", "return 'changed'", start=True, pass_input_as_result=True)
    wf.node("b", "feedback", "{{result}}", after="a")
    record = wf.run("original")
    assert record.nodes["a"].runs[0].result == "original"
    assert record.results == ["original"]


def test_a_cycle_stops_at_max_node_runs() -> None:
    wf = fn.Workflow("w")
    wf.node("again", "code", "return (input or 0) + 1", start=True)
    wf.connect("again", "ok", "again")
    wf.settings.max_node_runs = 7
    with pytest.raises(
        fn.RunLimitError, match=r"max_node_runs \(7 node runs\) before 'again' could run again"
    ) as info:
        wf.run(0)
    record = info.value.record  # type: ignore[attr-defined]
    assert record.total_steps == 7
    assert [r.result for r in record.nodes["again"].runs] == [1, 2, 3, 4, 5, 6, 7]


def test_node_start_id_overrides_the_start_nodes() -> None:
    wf = fn.Workflow("w")
    wf.node("a", "feedback", "from a", start=True)
    wf.node("b", "feedback", "from b {{result}}")
    assert wf.run("x", node_start_id="b").results == ["from b x"]
    assert wf.run("x", node_start_id=wf["b"].id).results == ["from b x"]
    with pytest.raises(fn.NotRunnableError, match="has no node 'zzz'"):
        wf.run("x", node_start_id="zzz")


def test_no_start_node_is_refused_to_run() -> None:
    wf = fn.Workflow("w")
    wf.node("a", "feedback", "x")
    with pytest.raises(fn.NotRunnableError, match="has no start node"):
        wf.run("x")


def test_events_in_order_and_the_record_is_their_function() -> None:
    wf = fn.Workflow("w")
    wf.node("a", "code", "return input * 2", start=True)
    wf.node("b", "feedback", "{{result}}", after="a")

    async def collect() -> list:
        return [event async for event in wf.stream(21)]

    events = run_async(collect())
    kinds = [e.type for e in events]
    assert kinds == [
        "run_started",
        "node_started",
        "node_finished",
        "node_started",
        "node_finished",
        "run_finished",
    ]
    assert isinstance(events[0], RunStarted) and events[0].start_nodes == ["a"]
    assert isinstance(events[1], NodeStarted) and events[1].input == 21
    finished = events[2]
    assert isinstance(finished, NodeFinished) and finished.result == 42 and finished.met[0].id == 30000
    assert isinstance(events[-1], RunFinished) and events[-1].results == ["42"]
    # the whole record and every event serialise to JSON
    from flow_nb.engine import event_adapter

    for event in events:
        assert event_adapter.validate_json(event_adapter.dump_json(event)) == event
    record = wf.run(21)
    assert record.model_dump_json()
    progress = record.progress()
    assert set(progress["workflow"]) == {"id", "name", "run", "nodes"}
    assert {"created", "id", "results", "status", "updated"} <= set(progress["workflow"]["run"])
    run = progress["workflow"]["nodes"][0]["runs"][0]
    assert {
        "conditions",
        "config",
        "created",
        "end_node",
        "id",
        "input",
        "message",
        "result",
        "sources",
        "start_node",
        "status",
        "updated",
    } <= set(run)


def test_runs_from_threads_and_inside_a_running_loop() -> None:
    wf = fn.Workflow("w")
    wf.node("a", "feedback", "hi {{result}}", start=True)

    async def inside() -> str:
        # wf.run is blocking but works while an event loop runs in this thread (as in a kernel)
        return wf.run("there").results[0]

    assert run_async(inside()) == "hi there"
    assert run_async(wf.arun("async")).results == ["hi async"]
