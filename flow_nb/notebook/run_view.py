"""The live run view: each node run as it starts and ends, LLM tokens under the node producing them,
input boxes and approve / edit / reject buttons for the people in the loop, and the totals at the end.

It is a function of the run's event stream, followed on the run's own loop. Updates are throttled: the
widget's state is sent at most every ``interval`` seconds, and tokens travel as small appended chunks, so
a 20,000-token run sends tens of messages a second, not one per token.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..engine import (
    ErrorEvent,
    Event,
    InputGiven,
    InputRequested,
    NodeFinished,
    NodeStarted,
    Run,
    RunFinished,
    RunStarted,
    Token,
)
from ..errors import FlowError
from ..model import get_type
from .display import short

__all__ = ["RunView"]

STATIC = Path(__file__).parent / "static"


class RunView(anywidget.AnyWidget):
    """A widget that follows one run live."""

    _esm = STATIC / "run_view.js"
    _css = STATIC / "run_view.css"

    summary: traitlets.Dict[str, Any] = traitlets.Dict().tag(sync=True)
    nodes: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=True)
    requests: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=True)

    def __init__(
        self, run: Run, *, model_label: str | None = None, interval: float = 0.1, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.run = run
        self.interval = interval
        self._nodes: dict[str, dict[str, Any]] = {}
        self._tokens: dict[str, list[str]] = {}
        self._pending_tokens: dict[str, list[str]] = {}
        self._summary: dict[str, Any] = {
            "workflow": run.workflow.name,
            "run_id": run.id,
            "status": "PENDING",
            "model": model_label,
        }
        self._requests: dict[str, dict[str, Any]] = {}
        self._scheduled = False
        self.messages_sent = 0
        """How many updates went to the front end (state syncs and token chunks)."""
        self.on_msg(self._on_front_end)

    def __repr__(self) -> str:
        # what a notebook saved without widget state (or a terminal) shows in the view's place
        return f"live run view of {self.run.workflow.name!r} (run {self.run.id}); its record follows"

    def follow(self) -> None:
        """Start following the run (it must have started); safe from any thread."""
        loop = self.run._loop
        if loop is None:
            raise RuntimeError("start the run before following it")
        asyncio.run_coroutine_threadsafe(self._consume(), loop)

    async def _consume(self) -> None:
        async for event in self.run.events():
            self._apply(event)
            if isinstance(event, (RunFinished, InputRequested)):
                self._flush()
            elif not self._scheduled:
                self._scheduled = True
                asyncio.get_running_loop().call_later(self.interval, self._flush)

    def _apply(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self._summary.update(status="RUNNING", start_nodes=event.start_nodes)
        elif isinstance(event, NodeStarted):
            self._nodes[event.node_run_id] = {
                "id": event.node_run_id,
                "key": event.node_key,
                "name": event.node_name,
                "type": event.node_type,
                "family": get_type(event.node_type).family,
                "index": event.index,
                "step": event.step,
                "status": "RUNNING",
                "input": short(event.input, 300),
                "result": None,
                "conditions": [],
                "elapsed": None,
                "tokens": "",
                "message": "",
            }
        elif isinstance(event, Token):
            self._tokens.setdefault(event.node_run_id, []).append(event.content)
            self._pending_tokens.setdefault(event.node_run_id, []).append(event.content)
        elif isinstance(event, NodeFinished):
            node = self._nodes.get(event.node_run_id)
            if node is not None:
                node.update(
                    status=event.status,
                    result=short(event.result, 600),
                    conditions=[c.system_name for c in event.met],
                    elapsed=round(event.elapsed, 3),
                    message=event.message,
                    tokens="".join(self._tokens.get(event.node_run_id, [])),
                    usage=event.usage.total_tokens,
                )
        elif isinstance(event, InputRequested):
            self._requests[event.request_id] = {
                "request_id": event.request_id,
                "kind": event.kind,
                "node": event.node_key,
                "prompt": event.prompt,
                "placeholder": event.placeholder,
                "result": None if event.result is None else short(event.result, 2000),
            }
            if event.node_run_id in self._nodes:
                self._nodes[event.node_run_id]["status"] = "WAITING"
            self._summary["status"] = "WAITING"
        elif isinstance(event, InputGiven):
            self._requests.pop(event.request_id, None)
            if event.node_run_id in self._nodes:
                self._nodes[event.node_run_id]["status"] = "RUNNING"
            if not self._requests:
                self._summary["status"] = "RUNNING"
        elif isinstance(event, ErrorEvent):
            self._summary["error"] = event.message
        elif isinstance(event, RunFinished):
            self._requests.clear()
            self._summary.update(
                status=event.status,
                results=[short(r, 2000) for r in event.results],
                total_time=round(event.total_time, 3),
                total_tokens=event.total_tokens,
                total_steps=event.total_steps,
                credits=event.credits,
                error=event.error,
                path=list(self.run.record.path),
            )

    def _flush(self) -> None:
        self._scheduled = False
        if self._pending_tokens:
            chunks = {run_id: "".join(parts) for run_id, parts in self._pending_tokens.items()}
            self._pending_tokens = {}
            self.send({"kind": "tokens", "chunks": chunks})
            self.messages_sent += 1
        self.summary = dict(self._summary)
        self.nodes = [dict(node) for node in sorted(self._nodes.values(), key=lambda n: n["step"])]
        self.requests = list(self._requests.values())
        self.messages_sent += 1

    def _on_front_end(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        if content.get("kind") != "respond":
            return
        try:
            self.run.respond(content.get("request_id"), content.get("value"), action=content.get("action"))
        except FlowError as error:
            self.send({"kind": "error", "message": str(error)})

    def respond(self, node: str | None = None, value: Any = None, action: str | None = None) -> None:
        """Answer an open request as the front end would (what the input box and buttons call)."""
        self._on_front_end(
            self, {"kind": "respond", "request_id": node, "value": value, "action": action}, None
        )
