"""The graph widget: a workflow drawn, wired by hand, kept in a file, lit up by a run.

``%flow graph NAME [--file F]`` and ``wf.graph(file=F)`` show it. The widget is a view of the Python
workflow: it subscribes with ``workflow.observe``, so cells and code that change the workflow redraw every
open widget of it; a hand edit in the front end is a message (``connect``, ``disconnect``, ``move``) that
becomes one validated workflow edit, or an ``error`` message shown in the widget and no change at all.

With a file, hand-made wiring and positions survive a kernel restart: the widget writes the workflow's
export to the file after every change, and when it opens on a file that exists it first takes that file's
relations and positions back (see :func:`.graph_state.restore`). ``%flow run`` tells the open widgets of
the workflow about the run (:func:`show_run`); any started run can be followed with :meth:`follow`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from .. import registry
from ..engine import InputRequested, Run, RunFinished
from ..errors import DefinitionError
from ..formats import flowflow
from ..model import Position, Workflow
from .graph_state import RunState, graph_state, relations_cell, restore

__all__ = ["GraphWidget", "open_graph", "show_run", "widgets_of"]

STATIC = Path(__file__).parent / "static"

_open: list[GraphWidget] = []


class GraphWidget(anywidget.AnyWidget):
    """The graph of one workflow: see it, wire it by hand, watch a run pass through it."""

    _esm = STATIC / "graph.js"
    _css = STATIC / "graph.css"

    graph: traitlets.Dict[str, Any] = traitlets.Dict().tag(sync=True)
    """Nodes (id, key, name, type, family, start, x, y, conditions) and relations (id, source, target,
    condition, label); see :func:`.graph_state.graph_state`."""
    run_state: traitlets.Dict[str, Any] = traitlets.Dict().tag(sync=True)
    """The run being watched: its status, each node's status and last run, the relations that fired."""
    saving: traitlets.Dict[str, Any] = traitlets.Dict().tag(sync=True)
    """Where hand edits are kept: ``file``, ``at`` (last write), ``error``, ``notes`` (from restoring)."""

    def __init__(
        self, workflow: Workflow, *, file: str | Path | None = None, interval: float = 0.1, **kwargs: Any
    ) -> None:
        path = Path(file) if file is not None else None
        notes = restore(workflow, path) if path is not None and path.exists() else []
        super().__init__(graph=graph_state(workflow), **kwargs)  # the front end opens with the graph
        self.workflow = workflow
        self.file = path
        self.interval = interval
        self.errors: list[str] = []
        """Every refused hand edit's message, as sent to the front end."""
        self._session_name = workflow.name if _in_session(workflow) else None
        self._unsubscribe = workflow.observe(self._changed)
        self._save(notes)
        self._following = 0
        self._run: RunState | None = None
        self._scheduled = False
        self._closed = False
        self.on_msg(self._on_front_end)
        _open.append(self)
        last = getattr(workflow, "last_run", None)
        if isinstance(last, Run) and last._loop is not None:
            self.follow(last)

    # ------------------------------------------------------------------------------ hand edits
    def handle(self, message: dict[str, Any]) -> str | None:
        """Apply one message of the front end (``connect``, ``disconnect``, ``move``, ``relayout``) to the
        workflow. The first three also pin every node where it is drawn; ``relayout`` forgets all positions.

        A refused change sends ``{"kind": "error", "message": ...}`` to the front end and changes nothing;
        the message is returned (None when the change was made)."""
        kind = message.get("kind")
        try:
            if kind == "connect":
                source, condition, target = (
                    str(message["source"]),
                    message["condition"],
                    str(message["target"]),
                )
                self._edit(lambda s: s.connect(source, condition, target))
            elif kind == "disconnect":
                relation = str(message["relation"])
                if all(r.id != relation for r in self.workflow.relations):
                    raise DefinitionError(f"relation {relation!r} is no longer in {self.workflow.name!r}")
                self._edit(lambda s: s.disconnect(relation))
            elif kind == "move":
                node, x, y = str(message["node"]), float(message["x"]), float(message["y"])
                self._edit(lambda s: s.move(node, x, y))
            elif kind == "relayout":
                self.workflow.apply(_unpin)
            else:
                raise DefinitionError(f"the graph widget has no action {kind!r}")
        except DefinitionError as error:
            return self._refuse(f"{kind}: {error}")
        except (KeyError, TypeError, ValueError) as error:
            return self._refuse(f"{kind}: a malformed message ({type(error).__name__}: {error})")
        return None

    def _edit(self, change: Callable[[Workflow], object]) -> None:
        # A hand edit freezes the drawing where the person sees it: every node without a position of its
        # own gets the one it is shown at (in the same atomic change), so a new or removed relation does
        # not re-flow the layout under the person's hands.
        shown = {node["id"]: Position(x=node["x"], y=node["y"]) for node in self.graph["nodes"]}

        def pinned(scratch: Workflow) -> None:
            scratch.nodes = [
                node.model_copy(update={"position": shown[node.id]})
                if node.position is None and node.id in shown
                else node
                for node in scratch.nodes
            ]
            change(scratch)

        self.workflow.apply(pinned)

    def _refuse(self, text: str) -> str:
        self.errors.append(text)
        self.send({"kind": "error", "message": text})
        return text

    def _on_front_end(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("kind") in ("connect", "disconnect", "move", "relayout"):
            self.handle(content)

    # ----------------------------------------------------------------------------- both ways
    def _changed(self, workflow: Workflow) -> None:
        self.graph = graph_state(workflow)
        self._save()

    def bind(self, workflow: Workflow) -> None:
        """Show another workflow object (the session's new one of the same name, after an import)."""
        self._unsubscribe()
        self.workflow = workflow
        self._unsubscribe = workflow.observe(self._changed)
        self._changed(workflow)

    def _save(self, notes: list[str] | None = None) -> None:
        if self.file is None:
            self.saving = {"file": None, "at": None, "error": None, "notes": notes or []}
            return
        try:
            partial = self.file.with_name(self.file.name + ".partial")
            partial.write_text(flowflow.dump(self.workflow), encoding="utf-8")
            partial.replace(self.file)
            error = None
        except OSError as problem:
            error = f"{type(problem).__name__}: {problem}"
        self.saving = {
            "file": str(self.file),
            "at": time.strftime("%H:%M:%S"),
            "error": error,
            "notes": notes or [],
        }

    def relations_cell(self) -> str:
        """The workflow's wiring as a ``%%flow relations`` cell (paste it in a cell to keep it there)."""
        return relations_cell(self.workflow)

    def close(self) -> None:
        """Stop listening to the workflow and to runs, and close the widget."""
        self._closed = True
        self._unsubscribe()
        if self in _open:
            _open.remove(self)
        super().close()

    # -------------------------------------------------------------------------------- a run
    def follow(self, run: Run) -> None:
        """Light up the nodes as ``run`` (started) passes through them; replaces the run followed before.

        Events are read on the run's own loop and the ``run_state`` trait is sent at most every
        ``interval`` seconds (and at once when the run waits for a person or ends)."""
        loop = run._loop
        if loop is None:
            raise RuntimeError("start the run before following it")
        self._following += 1
        state = self._run = RunState(run.id, run.workflow.name)
        if loop.is_closed():  # a finished run whose loop is gone: its history says it all
            for event in run._history:
                state.apply(event)
            self._flush(self._following)
            return
        asyncio.run_coroutine_threadsafe(self._consume(run, state, self._following), loop)

    async def _consume(self, run: Run, state: RunState, token: int) -> None:
        async for event in run.events():
            if token != self._following or self._closed:
                return
            state.apply(event)
            if isinstance(event, (RunFinished, InputRequested)):
                self._flush(token)
            elif not self._scheduled:
                self._scheduled = True
                asyncio.get_running_loop().call_later(self.interval, self._flush, token)

    def _flush(self, token: int) -> None:
        self._scheduled = False
        if token == self._following and self._run is not None and not self._closed:
            self.run_state = self._run.as_dict()


def _unpin(scratch: Workflow) -> None:
    scratch.nodes = [node.model_copy(update={"position": None}) for node in scratch.nodes]


def _in_session(workflow: Workflow) -> bool:
    return workflow.name in registry.names() and registry.get(workflow.name) is workflow


def _rebind(workflow: Workflow) -> None:
    # only a whole workflow put in the session (an import): a fresh empty one of the same name (a cell
    # after ``%flow rm --workflow``) must not replace the drawing, nor overwrite the widget's file
    if not workflow.nodes:
        return
    for widget in list(_open):
        if widget._session_name == workflow.name and widget.workflow is not workflow:
            widget.bind(workflow)


registry.on_added(_rebind)


def widgets_of(workflow: Workflow) -> list[GraphWidget]:
    """The open graph widgets of ``workflow``."""
    return [widget for widget in _open if widget.workflow is workflow]


def show_run(workflow: Workflow, run: Run) -> None:
    """Tell every open graph widget of ``workflow`` to follow ``run`` (started)."""
    for widget in widgets_of(workflow):
        widget.follow(run)


def open_graph(name: str | None = None, file: str | Path | None = None) -> GraphWidget:
    """The graph widget of the session's workflow ``name`` (the current one if None), kept in ``file``.

    When the session has no such workflow yet and ``file`` exists, the workflow is imported from it."""
    path = Path(file) if file is not None else None
    wanted = name if name is not None else registry.current()
    if path is not None and path.exists() and (wanted is None or wanted not in registry.names()):
        from ..workflow import Workflow as FrontDoor

        loaded = FrontDoor.load(path)
        if name is not None:
            loaded.name = name
        registry.add(loaded)
        return GraphWidget(loaded, file=path)
    workflow = registry.use(name) if name is not None else registry.workflow()
    return GraphWidget(workflow, file=path)
