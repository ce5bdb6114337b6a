"""The front-door ``Workflow``: the model's workflow plus export, load and running."""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from pydantic import PrivateAttr

from . import formats
from .engine import ChatModel, Event, InputRequested, Retriever, Run, RunRecord
from .engine.loop import submit
from .errors import RunError
from .formats import flowflow
from .model import workflow as model

if TYPE_CHECKING:
    from .notebook.graph import GraphWidget

__all__ = ["Answer", "Workflow", "watch_runs"]

Inputs = Any
"""A dict of named values, or one value (a text) that means ``{"input": value}``."""
OnRequest = Callable[[InputRequested], Any | Awaitable[Any]]


RunWatcher = Callable[["Workflow", Run], None]
_watchers: list[RunWatcher] = []


def watch_runs(watcher: RunWatcher) -> None:
    """Call ``watcher(workflow, run)`` for every run started from a workflow (once per watcher); open graph
    widgets follow runs so, whichever API started them."""
    if watcher not in _watchers:
        _watchers.append(watcher)


class Answer:
    """What an ``on_request`` handler may return for an approval: ``Answer("reject")``,
    ``Answer("edit", "new result")``; a plain string answers a text input (or edits a result)."""

    def __init__(self, action: str, value: Any = None) -> None:
        self.action, self.value = action, value


class Workflow(model.Workflow):
    """A workflow of nodes linked by conditional relations; build it, export it, load it, run it.

    >>> wf = Workflow("support", variables={"company": "ACME"})
    """

    _last_run: Run | None = PrivateAttr(default=None)

    @property
    def last_run(self) -> Run | None:
        """The most recent run started from this object (respond to it, or join it)."""
        return self._last_run

    # ------------------------------------------------------------------------------ formats
    @overload
    def export(self, format: Literal["flowflow", "json"] = "flowflow") -> dict[str, Any]: ...
    @overload
    def export(self, format: Literal["dify", "mermaid"]) -> str: ...
    @overload
    def export(self, format: str) -> dict[str, Any] | str: ...
    def export(self, format: str = "flowflow") -> dict[str, Any] | str:
        """The workflow in ``format``: ``"flowflow"`` (the server's workflow JSON format, a JSON-ready
        dict), ``"dify"`` (Dify DSL YAML text) or ``"mermaid"`` (a flowchart).

        What Dify cannot say is issued as ``flow_nb.formats.dify.ConversionWarning``s;
        ``flow_nb.formats.dify.export(wf)`` returns the text and those notes together.
        """
        return formats.export(self, format)

    def to_json(self) -> str:
        """The export as JSON text."""
        return flowflow.dump(self)

    def save(self, path: str | Path, format: str | None = None) -> Path:
        """Write the export to ``path`` (written whole to a temporary file first, then renamed).

        The format is told from the extension unless given: ``.yml``/``.yaml`` Dify DSL, ``.mmd`` Mermaid,
        ``.md`` Mermaid in a Markdown fence, anything else the server's JSON format.
        """
        from .formats import convert
        from .formats.dify import ConversionWarning

        suffix = Path(path).suffix.lower()
        chosen = format or {".yml": "dify", ".yaml": "dify", ".mmd": "mermaid", ".md": "mermaid"}.get(
            suffix, "flowflow"
        )
        target, notes = convert.write(self, path, chosen)
        for note in notes:
            warnings.warn(str(note), ConversionWarning, stacklevel=2)
        return target

    @classmethod
    def load(cls, source: dict[str, Any] | str | Path, format: str | None = None) -> Workflow:
        """A workflow from an export: a dict, JSON or YAML text, or the path of a file holding it.

        A Dify DSL file (``.yml``/``.yaml``, or YAML text with ``app`` and ``workflow``) is read as one, or
        say ``format="dify"``; its notes come as ``ConversionWarning``s.
        """
        return formats.load(source, cls, format)

    def graph(self, *, file: str | Path | None = None) -> GraphWidget:
        """The graph widget of this workflow (leave it last in a cell, or ``display`` it): see it, wire
        relations and move nodes by hand, watch runs. With ``file``, hand edits are kept in that workflow
        file and taken back from it when the widget opens again (after a kernel restart)."""
        from .notebook.graph import GraphWidget

        return GraphWidget(self, file=file)

    # ------------------------------------------------------------------------------ running
    def new_run(
        self,
        inputs: Inputs = None,
        *,
        variables: Mapping[str, Any] | None = None,
        node_start_id: str | None = None,
        llm: ChatModel | None = None,
        data: Retriever | None = None,
        max_node_runs: int | None = None,
    ) -> Run:
        """A run of this workflow, not started yet (see :class:`flow_nb.engine.Run`)."""
        if llm is None:
            from .llm import default_chat

            llm = default_chat()
        if data is None:
            from .data import DefaultData

            data = DefaultData()
        run = Run(
            self,
            inputs,
            variables=variables,
            node_start_id=node_start_id,
            llm=llm,
            data=data,
            max_node_runs=max_node_runs,
        )
        for watcher in list(_watchers):
            run.when_started(functools.partial(watcher, self))
        self._last_run = run
        return run

    def start(self, inputs: Inputs = None, **options: Any) -> Run:
        """Start a run on flow_nb's background loop and return it at once (``run.join()`` waits)."""
        run = self.new_run(inputs, **options)

        async def begin() -> None:
            run.start()

        submit(begin()).result()
        return run

    async def stream(
        self, inputs: Inputs = None, *, on_request: OnRequest | None = None, **options: Any
    ) -> AsyncIterator[Event]:
        """Run on the current loop, yielding every event as it happens. Leaving early stops the run."""
        run = self.new_run(inputs, **options).start()
        try:
            async for event in run.events():
                yield event
                if isinstance(event, InputRequested) and on_request is not None:
                    await _answer(run, event, on_request)
        finally:
            if not run.done:
                run.cancel()
                await run.wait()

    async def arun(
        self,
        inputs: Inputs = None,
        *,
        on_request: OnRequest | None = None,
        check: bool = True,
        **options: Any,
    ) -> RunRecord:
        """Run to the end (or until it waits for a person and no ``on_request`` answers) and return the
        record. With ``check``, a FAILED run raises its error (the record is on ``error.record``)."""
        run = self.new_run(inputs, **options).start()
        try:
            if on_request is None:
                record = await run.wait(until_waiting=True)
            else:
                async for event in run.events():
                    if isinstance(event, InputRequested):
                        await _answer(run, event, on_request)
                record = run.record
        except BaseException:
            if not run.done:
                run.cancel()
                await run.wait()
            raise
        return _checked(run, record, check)

    def run(
        self,
        inputs: Inputs = None,
        *,
        on_request: OnRequest | None = None,
        check: bool = True,
        **options: Any,
    ) -> RunRecord:
        """Run to the end and return the record; blocking, and safe inside a running event loop (a
        Jupyter kernel). Ctrl-C / a kernel interrupt stops the run: its record says STOPPED."""
        future = submit(self.arun(inputs, on_request=on_request, check=False, **options))
        try:
            record = future.result()
        except KeyboardInterrupt:
            run = self.last_run
            if run is not None:
                run.cancel()
                record = run.join()
            else:
                raise
        run = self.last_run
        assert run is not None
        return _checked(run, record, check)


async def _answer(run: Run, request: InputRequested, on_request: OnRequest) -> None:
    reply = on_request(request)
    if inspect.isawaitable(reply):
        reply = await reply
    if isinstance(reply, Answer):
        run.respond(request.request_id, reply.value, action=reply.action)  # type: ignore[arg-type]
    elif request.kind == "approval" and reply is None:
        run.respond(request.request_id, action="approve")
    else:
        run.respond(request.request_id, reply)


def _checked(run: Run, record: RunRecord, check: bool) -> RunRecord:
    failure = run.failure
    if check and record.status == "FAILED" and failure is not None:
        error: RunError = type(failure)(str(failure), node=failure.node)
        error.record = record  # type: ignore[attr-defined]
        raise error
    return record
