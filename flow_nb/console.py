"""The terminal view of a run: a function of the event stream (``flow-nb run``)."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any, TextIO

from .engine import (
    ErrorEvent,
    Event,
    InputGiven,
    InputRequested,
    NodeFinished,
    NodeStarted,
    RunFinished,
    RunStarted,
    Token,
    event_adapter,
)
from .workflow import Answer

__all__ = ["ConsoleView", "ask_in_terminal", "short"]


def short(value: Any, width: int = 80) -> str:
    """A value on one line, cut to ``width`` characters."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


class ConsoleView:
    """Prints a run as it happens: node starts and ends, tokens under their node, the results."""

    def __init__(self, out: TextIO = sys.stdout, *, as_json: bool = False) -> None:
        self.out = out
        self.as_json = as_json
        self._streaming: str | None = None

    def _line(self, text: str) -> None:
        if self._streaming is not None:
            self.out.write("\n")
            self._streaming = None
        self.out.write(text + "\n")
        self.out.flush()

    def show(self, event: Event) -> None:
        """Print one event."""
        if self.as_json:
            self.out.write(event_adapter.dump_json(event).decode() + "\n")
            self.out.flush()
            return
        if isinstance(event, RunStarted):
            self._line(
                f"run {event.run_id} of {event.workflow_name!r} starts at {', '.join(event.start_nodes)}"
            )
        elif isinstance(event, NodeStarted):
            self._line(f"▶ {event.node_key} ({event.node_type}) ← {short(event.input, 60)}")
        elif isinstance(event, Token):
            if self._streaming != event.node_run_id:
                self._line(f"  {event.node_key} ┊ ")
                self.out.write("  ")
                self._streaming = event.node_run_id
            self.out.write(event.content)
            self.out.flush()
        elif isinstance(event, NodeFinished):
            mark = {"FINISHED": "✓", "FAILED": "✗", "STOPPED": "■"}.get(event.status, "?")
            met = ", ".join(c.system_name for c in event.met) or "no condition"
            tail = "" if event.message == "OK" else f"  ({event.message})"
            self._line(
                f"{mark} {event.node_key} {met} {event.elapsed:.2f}s → {short(event.result, 60)}{tail}"
            )
        elif isinstance(event, InputRequested):
            what = (
                "waits for your input"
                if event.kind == "text"
                else f"waits for approval of {short(event.result, 60)}"
            )
            self._line(f"… {event.node_key} {what}" + (f": {event.prompt}" if event.prompt else ""))
        elif isinstance(event, InputGiven):
            self._line(
                f"  {event.node_key}: {event.action} "
                + (short(event.value, 60) if event.value is not None else "")
            )
        elif isinstance(event, ErrorEvent):
            self._line(f"error: {event.message}")
        elif isinstance(event, RunFinished):
            self._line(
                f"{event.status} in {event.total_time:.2f}s · {event.total_steps} node runs · "
                f"{event.total_tokens} tokens · {event.credits} credits"
            )
            for result in event.results:
                self._line(f"result: {short(result, 400)}")


async def ask_in_terminal(request: InputRequested) -> Any:
    """Answer a request on the terminal: the prompt on standard error, the answer from standard input
    (so ``--json`` output stays one event per line). End of input raises ``EOFError``."""
    if request.kind == "text":
        return await _read(f"{request.prompt or request.node_key} > ")
    choice = (await _read("[a]pprove, [e]dit or [r]eject? ")).strip().lower()
    if choice.startswith("r"):
        return Answer("reject")
    if choice.startswith("e"):
        return Answer("edit", await _read("new result > "))
    return Answer("approve")


async def _read(prompt: str) -> str:
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line: str = await asyncio.to_thread(sys.stdin.readline)
    if not line:
        raise EOFError("standard input ended")
    return line.rstrip("\n")
