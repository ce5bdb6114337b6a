"""``%flow chat``: talk with a workflow. Each message is a run (or answers the run that waits for one),
with the conversation so far in ``{{workflow.run.history}}``; the history stays on screen."""

from __future__ import annotations

import asyncio
from html import escape
from typing import Any

import ipywidgets

from ..engine import ChatModel, Run
from ..engine.loop import submit
from ..workflow import Workflow
from .display import short

__all__ = ["ChatView"]


class ChatView(ipywidgets.VBox):  # type: ignore[misc]
    """A chat box over a workflow: type, send, read the workflow's displayed results."""

    def __init__(self, workflow: Workflow, *, llm: ChatModel | None = None) -> None:
        self.workflow, self.llm = workflow, llm
        self.history: list[dict[str, Any]] = []
        self.run: Run | None = None
        self._shown = 0  # results of the current run already in the history
        self._log = ipywidgets.HTML(value=self._html())
        self._box = ipywidgets.Text(
            placeholder=f"message {workflow.name}…", layout={"width": "70%"}, continuous_update=False
        )
        self._send_button = ipywidgets.Button(description="Send")
        self._send_button.on_click(lambda _button: self.say(self._box.value))
        # with continuous_update off, the value changes when Enter is pressed (or the box loses focus)
        self._box.observe(lambda change: self.say(change["new"]), names="value")
        super().__init__([self._log, ipywidgets.HBox([self._box, self._send_button])])
        self.add_class("flow-nb-chat")

    def say(self, text: str) -> None:
        """Send one message: it answers the waiting run, or starts a new run."""
        if not text.strip():
            return
        self._box.value = ""
        self.history.append({"role": "user", "content": text})
        self._render()
        run = self.run
        if run is not None and not run.done and run.requests():
            run.respond(None, text)
        else:
            run = self.run = self.workflow.new_run(
                text, variables={"history": list(self.history)}, llm=self.llm
            )
            self._shown = 0

            async def begin() -> None:
                run.start()

            submit(begin()).result()
        submit(self._follow(run))

    async def _follow(self, run: Run) -> None:
        await run.wait(until_waiting=True)
        while True:
            for result in run.record.results[self._shown :]:
                self.history.append({"role": "workflow", "content": result})
            self._shown = len(run.record.results)
            for request in run.requests():
                if request.prompt:
                    self.history.append({"role": "workflow", "content": request.prompt})
            if run.done and run.record.error:
                self.history.append({"role": "error", "content": run.record.error})
            self._render()
            if run.done or run.requests():
                return
            await asyncio.sleep(0.05)

    def _html(self) -> str:
        rows = []
        for turn in self.history:
            who = {"user": "you", "workflow": self.workflow.name, "error": "error"}[turn["role"]]
            rows.append(f"<div><b>{escape(who)}:</b> {escape(short(turn['content'], 2000))}</div>")
        return (
            "<div>" + "".join(rows) + "</div>" if rows else f"<i>chat with {escape(self.workflow.name)}</i>"
        )

    def _render(self) -> None:
        self._log.value = self._html()
