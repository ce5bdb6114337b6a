"""The graph widget's model without a browser: traitlets in and out, front-end messages, runs, the file.

The widget's comm is a recording one (``comm.create_comm`` is the hook ipykernel itself replaces), so the
tests see exactly what would travel to the front end, and feed messages in the way the front end does.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import comm
import pytest
from comm.base_comm import BaseComm
from IPython.core.error import UsageError

import flow_nb as fn
from flow_nb import registry
from flow_nb.notebook.graph import GraphWidget, widgets_of
from flow_nb.notebook.layout import NODE_H, NODE_W


class Wire(BaseComm):
    """A comm that keeps what it would send to the front end."""

    def __init__(self, **kwargs: Any) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        super().__init__(**kwargs)

    def publish_msg(self, msg_type: str, data: Any = None, *args: Any, **keys: Any) -> None:
        self.sent.append((msg_type, data or {}))

    def custom(self) -> list[dict[str, Any]]:
        return [d["content"] for t, d in self.sent if t == "comm_msg" and d.get("method") == "custom"]

    def updates(self, trait: str) -> list[Any]:
        return [
            d["state"][trait]
            for t, d in self.sent
            if t == "comm_msg" and d.get("method") == "update" and trait in d.get("state", {})
        ]

    def from_front_end(self, content: dict[str, Any]) -> None:
        self.handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})


@pytest.fixture(autouse=True)
def wires(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Wire]]:
    made: list[Wire] = []

    def create(**kwargs: Any) -> Wire:
        made.append(Wire(**kwargs))
        return made[-1]

    monkeypatch.setattr(comm, "create_comm", create)
    yield made
    for widget in list(widgets_of_all()):
        widget.close()


def widgets_of_all() -> list[GraphWidget]:
    from flow_nb.notebook import graph

    return list(graph._open)


def wire(widget: GraphWidget) -> Wire:
    assert isinstance(widget.comm, Wire)
    return widget.comm


def cell(ip: Any, line: str, body: str = "") -> Any:
    return ip.run_cell_magic("flow", line, body)


def support() -> fn.Workflow:
    wf = fn.Workflow("support")
    wf.node("ask", "text_input", "How can I help you today?", start=True)
    wf.node("money", "boolean", "Is the input related to money?", after="ask")
    wf.node("refuse", "feedback", "Sorry, no money questions.", after="money:true")
    wf.node("forward", "feedback", "Forwarded: {{result}}", after="money:false")
    return wf


def echo_cells(ip: Any) -> fn.Workflow:
    cell(ip, "start code --workflow echo --start", "return input.upper()")
    cell(ip, "check code --after start", "return len(input)")
    cell(ip, "say feedback --after check", "{{result}} letters")
    wf = registry.get("echo")
    assert isinstance(wf, fn.Workflow)
    return wf


def restart() -> None:
    """What a kernel restart does to the session: its widgets and workflows are gone."""
    for widget in widgets_of_all():
        widget.close()
    registry.reset()


def keys(widget: GraphWidget, ids: list[str]) -> list[str]:
    by_id = {n["id"]: n["key"] for n in widget.graph["nodes"]}
    return [by_id[i] for i in ids]


def wiring(widget: GraphWidget) -> set[str]:
    return {r["text"] for r in widget.graph["relations"]}


# --------------------------------------------------------------------------------- traitlets out
def test_graph_trait_draws_the_workflow_and_reaches_the_front_end() -> None:
    wf = support()
    wf.move("forward", 900, 300)
    widget = wf.graph()
    nodes = {n["key"]: n for n in widget.graph["nodes"]}
    assert list(nodes) == ["ask", "money", "refuse", "forward"]
    assert nodes["ask"]["start"] and not nodes["money"]["start"]
    assert (nodes["ask"]["family"], nodes["money"]["family"], nodes["money"]["type"]) == (
        "text",
        "ai",
        "boolean",
    )
    assert nodes["money"]["type_name"] == "AI - Boolean"
    assert [c["label"] for c in nodes["money"]["conditions"]] == ["false", "true", "undecided", "error"]
    assert nodes["money"]["conditions"][1]["system_name"] == "boolean_true"
    # layered left to right from the start node; a node's own position wins
    assert nodes["ask"]["x"] < nodes["money"]["x"] < nodes["refuse"]["x"]
    assert (nodes["forward"]["x"], nodes["forward"]["y"], nodes["forward"]["placed"]) == (900, 300, True)
    relations = widget.graph["relations"]
    assert [(keys(widget, [r["source"], r["target"]]), r["condition"], r["label"]) for r in relations] == [
        (["ask", "money"], "text_received", "received"),
        (["money", "refuse"], "boolean_true", "true"),
        (["money", "forward"], "boolean_false", "false"),
    ]
    assert [r["id"] for r in relations] == [r.id for r in wf.relations]
    assert (widget.graph["node_w"], widget.graph["node_h"]) == (NODE_W, NODE_H)
    # the front end got exactly this state when the widget opened
    opened = [d for t, d in wire(widget).sent if t == "comm_open"]
    assert opened[0]["state"]["graph"] == widget.graph
    assert opened[0]["state"]["run_state"] == {}


# ------------------------------------------------------------------------------- messages in
def test_connect_from_the_front_end_adds_the_relation_and_redraws() -> None:
    wf = support()
    widget = wf.graph()
    money, forward = wf["money"], wf["forward"]
    wire(widget).from_front_end(
        {"kind": "connect", "source": money.id, "condition": "boolean_undecided", "target": forward.id}
    )
    assert "money:undecided -> forward" in wiring(widget)
    made = wf.relations[-1]
    assert (made.source, made.condition.system_name, made.target) == (
        money.id,
        "boolean_undecided",
        forward.id,
    )
    assert wire(widget).updates("graph")[-1] == widget.graph
    assert wire(widget).custom() == []


def test_a_refused_connect_sends_an_error_and_changes_nothing() -> None:
    wf = support()
    widget = wf.graph()
    before, graph_before = wf.export(), widget.graph
    updates = len(wire(widget).updates("graph"))
    wire(widget).from_front_end(
        {"kind": "connect", "source": "money", "condition": "maybe", "target": "forward"}
    )
    wire(widget).from_front_end(
        {"kind": "connect", "source": "money", "condition": "true", "target": "nobody"}
    )
    errors = wire(widget).custom()
    assert [e["kind"] for e in errors] == ["error", "error"]
    assert "cannot meet the condition 'maybe'" in errors[0]["message"]
    assert "false, true, undecided, error" in errors[0]["message"]
    assert "has no node 'nobody'" in errors[1]["message"]
    assert widget.errors == [e["message"] for e in errors]
    assert wf.export() == before
    assert widget.graph == graph_before
    assert len(wire(widget).updates("graph")) == updates


def test_delete_a_relation_by_id() -> None:
    wf = support()
    widget = wf.graph()
    doomed = next(r for r in widget.graph["relations"] if r["label"] == "true")
    wire(widget).from_front_end({"kind": "disconnect", "relation": doomed["id"]})
    assert wiring(widget) == {"ask:received -> money", "money:false -> forward"}
    assert all(r.id != doomed["id"] for r in wf.relations)
    # deleting it again (a stale front end) is refused with a message
    assert widget.handle({"kind": "disconnect", "relation": doomed["id"]}) is not None
    assert "no longer in 'support'" in wire(widget).custom()[-1]["message"]
    assert len(wf.relations) == 2


def test_move_a_node_and_find_it_in_the_export() -> None:
    wf = support()
    widget = wf.graph()
    wire(widget).from_front_end({"kind": "move", "node": wf["refuse"].id, "x": 612, "y": -40.5})
    exported = {n["name"]: n.get("position") for n in wf.export()["nodes"]}
    assert exported["refuse"] == {"x": 612.0, "y": -40.5}
    node = next(n for n in widget.graph["nodes"] if n["key"] == "refuse")
    assert (node["x"], node["y"], node["placed"]) == (612.0, -40.5, True)
    assert widget.handle({"kind": "move", "node": "refuse", "x": "left"}) is not None  # no y, no number
    assert widget.handle({"kind": "explode"}) == "explode: the graph widget has no action 'explode'"
    assert exported == {n["name"]: n.get("position") for n in wf.export()["nodes"]}


def test_a_hand_edit_pins_the_drawing_and_relayout_forgets_it() -> None:
    wf = support()
    widget = wf.graph()
    shown = {n["key"]: (n["x"], n["y"]) for n in widget.graph["nodes"]}
    assert all(node.position is None for node in wf.nodes)
    widget.handle({"kind": "disconnect", "relation": wf.relations[2].id})  # forward loses its way in
    # nothing moved on screen: every node now has the position it was drawn at
    assert {n["key"]: (n["x"], n["y"]) for n in widget.graph["nodes"]} == shown
    assert {n.key: (n.position.x, n.position.y) for n in wf.nodes if n.position} == shown
    # a node added later goes in its layer, below the placed ones
    wf.node("later", "feedback", "late", after="refuse")
    later = next(n for n in widget.graph["nodes"] if n["key"] == "later")
    assert later["y"] > max(y for _, y in shown.values()) and not later["placed"]
    widget.handle({"kind": "relayout"})
    assert all(node.position is None for node in wf.nodes)
    assert not any(n["placed"] for n in widget.graph["nodes"])


# ---------------------------------------------------------------------------------- both ways
def test_code_and_cells_update_every_open_widget_until_it_is_closed(ip: Any) -> None:
    wf = echo_cells(ip)
    one, two = wf.graph(), wf.graph()
    assert widgets_of(wf) == [one, two]
    wf.connect("check", "raised", "say")
    assert "check:raised -> say" in wiring(one) and "check:raised -> say" in wiring(two)
    wf.node("log", "feedback", "logged {{result}}", after="say")
    assert [n["key"] for n in two.graph["nodes"]][-1] == "log"
    cell(ip, "say feedback --after check --after start", "{{result}} letters!")  # re-run a cell
    assert "start:ok -> say" in wiring(one)
    cell(ip, "relations --workflow echo", "start -> check -> say\nstart:raised -> log")
    assert wiring(one) == wiring(two) == {"start:ok -> check", "check:ok -> say", "start:raised -> log"}
    closed = wire(two)
    sent = len(closed.sent)
    two.close()
    assert widgets_of(wf) == [one]
    wf.remove("log")
    assert "log" not in [n["key"] for n in one.graph["nodes"]]
    assert "log" in [n["key"] for n in two.graph["nodes"]]
    assert closed.sent[sent:] == [("comm_close", {})]  # nothing after the close itself


def test_graph_magic(ip: Any) -> None:
    echo_cells(ip)
    assert ip.run_line_magic("flow", "graph echo") is None
    (widget,) = widgets_of(registry.get("echo"))
    assert widget.graph["workflow"] == "echo"
    with pytest.raises(UsageError, match="no workflow 'nope'"):
        ip.run_line_magic("flow", "graph nope")
    with pytest.raises(UsageError, match="%flow graph: unrecognized arguments"):
        ip.run_line_magic("flow", "graph echo --colour red")


# ------------------------------------------------------------------------------------ runs
def test_a_flow_run_lights_up_the_open_widgets(ip: Any) -> None:
    wf = echo_cells(ip)
    widget = wf.graph()
    record = ip.run_line_magic("flow", 'run echo "hello"')
    assert record.results == ["5 letters"]
    deadline = time.monotonic() + 5
    while widget.run_state.get("status") != "FINISHED" and time.monotonic() < deadline:
        time.sleep(0.01)
    state = widget.run_state
    assert state["run_id"] == record.id and state["status"] == "FINISHED"
    by_key = {v["key"]: v for v in state["nodes"].values()}
    assert {k: v["status"] for k, v in by_key.items()} == {
        "start": "FINISHED",
        "check": "FINISHED",
        "say": "FINISHED",
    }
    assert by_key["check"]["input"] == "HELLO"
    assert by_key["check"]["result"] == "5"
    assert by_key["check"]["conditions"] == ["code_ok"]
    assert by_key["check"]["elapsed"] >= 0
    assert set(state["nodes"]) == {wf["start"].id, wf["check"].id, wf["say"].id}
    assert state["fired"] == [r.id for r in wf.relations]  # start->check and check->say fired
    assert wire(widget).updates("run_state")[-1] == state


def test_run_state_is_throttled_and_any_run_can_be_followed() -> None:
    wf = fn.Workflow("chain")
    wf.node("n0", "code", "return input + 1", start=True)
    for i in range(1, 60):
        wf.node(f"n{i}", "code", "return input + 1", after=f"n{i - 1}")
    slow = GraphWidget(wf, interval=30.0)
    run = wf.start(0)
    slow.follow(run)
    record = run.join()
    assert record.status == "FINISHED" and record.output == 60
    deadline = time.monotonic() + 5
    while slow.run_state.get("status") != "FINISHED" and time.monotonic() < deadline:
        time.sleep(0.01)
    # 60 node runs, 120+ events: one update (at the end), since the 30 s throttle never came due
    assert wire(slow).updates("run_state") == [slow.run_state]
    assert len(slow.run_state["nodes"]) == 60 and len(slow.run_state["fired"]) == 59
    # a widget opened after the run shows that last run
    later = wf.graph()
    deadline = time.monotonic() + 5
    while later.run_state.get("status") != "FINISHED" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert later.run_state["run_id"] == run.id
    assert later.run_state["nodes"][wf["n59"].id]["result"] == "60"


def test_a_waiting_node_shows_waiting() -> None:
    wf = fn.Workflow("ask")
    wf.node("start", "code", "return input", start=True)
    wf.node("name", "text_input", "Your name?", after="start")
    widget = wf.graph()
    run = wf.start("hi")
    widget.follow(run)
    run.join(until_waiting=True)
    deadline = time.monotonic() + 5
    while widget.run_state.get("status") != "WAITING" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert widget.run_state["nodes"][wf["name"].id]["status"] == "WAITING"
    run.respond("name", "Ada")
    run.join()
    deadline = time.monotonic() + 5
    while widget.run_state.get("status") != "FINISHED" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert widget.run_state["nodes"][wf["name"].id]["status"] == "FINISHED"


# ------------------------------------------------------------------------------- keeping it
def test_the_file_keeps_hand_edits_across_a_restart(ip: Any, tmp_path: Path) -> None:
    path = tmp_path / "echo.flow.json"
    wf = echo_cells(ip)
    ip.run_line_magic("flow", f"graph echo --file {path}")
    (widget,) = widgets_of(wf)
    assert json.loads(path.read_text())["name"] == "echo"
    assert widget.saving["file"] == str(path) and widget.saving["error"] is None
    widget.handle({"kind": "connect", "source": "start", "condition": "code_error", "target": "say"})
    widget.handle({"kind": "disconnect", "relation": wf.relations[1].id})  # check:ok -> say
    widget.handle({"kind": "move", "node": "say", "x": 700, "y": 120})
    made = wf.relations[-1].id
    assert json.loads(path.read_text()) == wf.export()

    restart()  # the kernel restarts: the cells run again and make new ids
    again = echo_cells(ip)
    assert {r.condition.system_name for r in again.relations} == {"code_ok"}
    ip.run_line_magic("flow", f"graph echo --file {path}")
    (restored,) = widgets_of(again)
    assert wiring(restored) == {"start:ok -> check", "start:raised -> say"}
    assert again["say"].position is not None and (again["say"].position.x, again["say"].position.y) == (
        700,
        120,
    )
    assert made in [r.id for r in again.relations]  # the relation keeps its id
    assert restored.saving["notes"] == []

    restart()  # no cells at all: the file alone brings the workflow back
    ip.run_line_magic("flow", f"graph echo --file {path}")
    loaded = registry.get("echo")
    assert [n.key for n in loaded.nodes] == ["start", "check", "say"]
    assert wiring(widgets_of(loaded)[0]) == {"start:ok -> check", "start:raised -> say"}


def test_restoring_keeps_new_nodes_wiring_and_notes_what_no_longer_fits(ip: Any, tmp_path: Path) -> None:
    path = tmp_path / "topic.flow.json"
    cell(ip, "topic classification --workflow triage --start", "refund: money back\nparcel: where is it")
    cell(ip, "money feedback --after topic:label:refund", "refunds")
    cell(ip, "where feedback --after topic:label:parcel", "parcels")
    ip.run_line_magic("flow", f"graph triage --file {path}")
    restart()
    cell(ip, "topic classification --workflow triage --start", "refund: money back\nshipping: where is it")
    cell(ip, "money feedback --after topic:label:refund", "refunds")
    cell(ip, "where feedback", "parcels")
    cell(ip, "late feedback --after money", "a node the file does not know")
    ip.run_line_magic("flow", f"graph triage --file {path}")
    (widget,) = widgets_of(registry.get("triage"))
    assert wiring(widget) == {"topic:label:refund -> money", "money:ok -> late"}
    (note,) = widget.saving["notes"]
    assert note.startswith("left out topic:label:parcel -> where: node 'topic' (classification) cannot meet")


def test_relations_cell_sets_the_same_wiring_again(ip: Any) -> None:
    wf = echo_cells(ip)
    widget = wf.graph()
    widget.handle({"kind": "connect", "source": "check", "condition": "error", "target": "start"})
    text = widget.relations_cell()
    assert text.splitlines() == [
        "%%flow relations --workflow echo",
        "start:ok -> check",
        "check:ok -> say",
        "check:error -> start",
    ]
    before = wiring(widget)
    line, body = text.split("\n", 1)
    cell(ip, line.removeprefix("%%flow "), "start -> say")
    assert wiring(widget) == {"start:ok -> say"}
    cell(ip, line.removeprefix("%%flow "), body)
    assert wiring(widget) == before


def test_an_import_of_the_same_name_rebinds_the_widget(ip: Any, tmp_path: Path) -> None:
    wf = echo_cells(ip)
    widget = wf.graph()
    wf.connect("check", "raised", "start")
    wf.save(tmp_path / "echo.flow.json")
    wf.disconnect("check", "raised")
    ip.run_line_magic("flow", f"import {tmp_path / 'echo.flow.json'}")
    assert widget.workflow is registry.get("echo") and widget.workflow is not wf
    assert "check:raised -> start" in wiring(widget)


def test_a_run_started_from_python_lights_up_open_graphs(ip: Any) -> None:
    ip.run_cell_magic("flow", "a code --workflow py --start", "return input")
    ip.run_cell_magic("flow", "b feedback --after a", "{{result}}")
    wf = fn.workflow("py")
    widget = GraphWidget(wf)
    record = wf.run("x")  # the Python API, not %flow run
    assert record.status == "FINISHED"
    deadline = time.monotonic() + 10
    while widget.run_state.get("status") != "FINISHED":
        assert time.monotonic() < deadline, widget.run_state
        time.sleep(0.02)
    widget.close()
