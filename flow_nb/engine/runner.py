"""The runner: one workflow run, from its start node(s) along the relations whose conditions are met.

Semantics (DESIGN.md §5, the seed's "Node Relations"): every relation whose condition a node run met
fires, and its targets run concurrently with the result (or the node's input when
``pass_input_as_result``); a met condition with no relation ends that branch; a node reached twice runs
twice; past ``max_node_runs`` the run fails. A node with ``auto_continue: false`` waits for a person to
approve, edit or reject its result, and a ``text_input`` reached mid-run waits for their text: the run is
``WAITING`` and :meth:`Run.respond` resumes it. :meth:`Run.cancel` ends it ``STOPPED``.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, Literal

from ..errors import DefinitionError, FlowError, NodeRunError, NotRunnableError, RunError, RunLimitError
from ..model import ERROR, Node, NodeConfig, Workflow, new_id
from ..model.node import config_texts
from .context import ChatModel, NodeContext, Outcome, Retriever
from .events import (
    ConditionRef,
    ErrorEvent,
    Event,
    InputGiven,
    InputRequested,
    NodeFinished,
    NodeStarted,
    RunFinished,
    RunStarted,
    Token,
)
from .record import RunRecord
from .variables import has_template, render, scope

__all__ = ["Action", "Run", "normalize_inputs"]

Action = Literal["input", "approve", "edit", "reject"]


def normalize_inputs(inputs: Any) -> dict[str, Any]:
    """A run's input as a dict of named values; a bare value (a string, say) is ``{"input": value}``."""
    if inputs is None:
        return {}
    if isinstance(inputs, Mapping):
        return dict(inputs)
    if isinstance(inputs, (str, int, float, bool, list)):
        return {"input": inputs}
    raise NotRunnableError(f"a run's input is a text or a dict of named values, not {type(inputs).__name__}")


def start_value(inputs: Mapping[str, Any]) -> Any:
    """What the start node receives: ``input`` if given, the single value, or the whole dict."""
    if "input" in inputs:
        return inputs["input"]
    if len(inputs) == 1:
        return next(iter(inputs.values()))
    return dict(inputs) or None


class Run:
    """A run of a workflow. Create it, :meth:`start` it inside an event loop, then watch or wait."""

    def __init__(
        self,
        workflow: Workflow,
        inputs: Any = None,
        *,
        variables: Mapping[str, Any] | None = None,
        node_start_id: str | None = None,
        llm: ChatModel | None = None,
        data: Retriever | None = None,
        max_node_runs: int | None = None,
        run_id: str | None = None,
    ) -> None:
        # a snapshot: edits to the workflow during the run do not change it (the builder replaces nodes
        # and lists, it never mutates them in place, so a shallow copy is enough)
        self.workflow = workflow.model_copy(
            update={
                "nodes": list(workflow.nodes),
                "relations": list(workflow.relations),
                "variables": dict(workflow.variables),
            }
        )
        self.inputs = normalize_inputs(inputs)
        self.variables = dict(variables or {})
        self.starts = self.workflow.start_nodes(node_start_id)
        self.llm = llm
        self.data = data
        self.max_node_runs = max_node_runs or self.workflow.settings.max_node_runs
        self.id = run_id or new_id()
        self.record = RunRecord.for_workflow(self.workflow, self.id)
        self._history: list[Event] = []
        self._subscribers: list[asyncio.Queue[Event]] = []
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []
        self._pending: dict[str, tuple[InputRequested, asyncio.Future[tuple[Action, Any]]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self._steps = 0
        self._index: Counter[str] = Counter()
        self._last_end: Any = None
        self._failure: RunError | None = None
        self._cancelled = False
        self._templated: dict[str, bool] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._main: asyncio.Task[None] | None = None
        self._on_start: list[Callable[[Run], None]] = []
        self._started_at = 0.0

    # --------------------------------------------------------------------------------- public
    @property
    def status(self) -> str:
        """PENDING, RUNNING, WAITING, FINISHED, FAILED or STOPPED."""
        return self.record.status

    @property
    def done(self) -> bool:
        """Whether the run has ended."""
        return self.record.status in ("FINISHED", "FAILED", "STOPPED")

    def start(self) -> Run:
        """Begin the run on the running event loop (call it from a coroutine)."""
        if self._main is not None:
            raise RuntimeError("this run has already started")
        self._loop = asyncio.get_running_loop()
        self._main = self._loop.create_task(self._run())
        for callback in self._on_start:
            callback(self)
        return self

    def when_started(self, callback: Callable[[Run], None]) -> None:
        """Call ``callback(run)`` (on the run's loop) as soon as the run starts; views follow runs so."""
        self._on_start.append(callback)

    async def events(self) -> AsyncIterator[Event]:
        """Every event of the run, from its first, live until it ends; several readers may follow."""
        queue: asyncio.Queue[Event] = asyncio.Queue()
        backlog = list(self._history)
        self._subscribers.append(queue)
        try:
            for event in backlog:
                yield event
            if backlog and isinstance(backlog[-1], RunFinished):
                return
            while True:
                event = await queue.get()
                yield event
                if isinstance(event, RunFinished):
                    return
        finally:
            self._subscribers.remove(queue)

    async def wait(self, *, until_waiting: bool = False) -> RunRecord:
        """The record once the run has ended (or, with ``until_waiting``, once it waits for a person)."""

        def ready() -> bool:
            return self.done or (until_waiting and bool(self._pending))

        if not ready():
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append((ready, future))
            await future
        return self.record

    def join(self, *, until_waiting: bool = False, timeout: float | None = None) -> RunRecord:
        """Block until the run ends (or waits for a person); for threads other than the run's loop."""
        loop = self._loop
        if loop is None:
            raise RuntimeError("this run has not started")
        future = asyncio.run_coroutine_threadsafe(self.wait(until_waiting=until_waiting), loop)
        return future.result(timeout)

    @property
    def failure(self) -> RunError | None:
        """Why the run failed, if it did."""
        return self._failure

    def requests(self) -> list[InputRequested]:
        """The open requests for a person."""
        return [request for request, _ in self._pending.values()]

    def respond(self, request: str | None = None, value: Any = None, *, action: Action | None = None) -> None:
        """Answer an open request: text for a ``text_input``; approve, edit (with ``value``) or reject an
        approval. ``request`` is the request id or the node's key (None: the only open request).

        Safe to call from any thread."""
        open_request = self._find_request(request)
        kind_actions: dict[str, tuple[Action, ...]] = {
            "text": ("input",),
            "approval": ("approve", "edit", "reject"),
        }
        chosen: Action = action or (
            "input" if open_request.kind == "text" else ("edit" if value is not None else "approve")
        )
        if chosen not in kind_actions[open_request.kind]:
            allowed = ", ".join(kind_actions[open_request.kind])
            raise DefinitionError(
                f"node {open_request.node_key!r} waits for {allowed}, not {chosen}", field="action"
            )
        if open_request.kind == "text" and not isinstance(value, str):
            raise DefinitionError(f"node {open_request.node_key!r} waits for a text input", field="value")
        self._call_in_loop(self._resolve, open_request.request_id, chosen, value)

    def cancel(self) -> None:
        """Stop the run: running nodes end STOPPED, finished node runs are kept. Safe from any thread."""
        self._call_in_loop(self._cancel)

    # ------------------------------------------------------------------------------- internals
    def _call_in_loop(self, func: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is None:
            raise RuntimeError("this run has not started")
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            func(*args)
        else:
            loop.call_soon_threadsafe(func, *args)

    def _find_request(self, ref: str | None) -> InputRequested:
        requests = self.requests()
        if not requests:
            raise DefinitionError(f"run {self.id} is not waiting for anyone (status {self.status})")
        if ref is None:
            if len(requests) > 1:
                names = ", ".join(r.node_key for r in requests)
                raise DefinitionError(f"run {self.id} waits on several nodes ({names}); say which one")
            return requests[0]
        for request in requests:
            if ref in (request.request_id, request.node_key, request.node_run_id):
                return request
        names = ", ".join(f"{r.node_key} ({r.request_id})" for r in requests)
        raise DefinitionError(f"run {self.id} has no open request {ref!r}; open: {names}")

    def _resolve(self, request_id: str, action: Action, value: Any) -> None:
        pending = self._pending.pop(request_id, None)
        if pending is None or pending[1].done():
            return
        request, future = pending
        self._emit(
            InputGiven(
                run_id=self.id,
                request_id=request_id,
                node_run_id=request.node_run_id,
                node_key=request.node_key,
                action=action,
                value=value,
            )
        )
        future.set_result((action, value))

    def _cancel(self) -> None:
        if self.done or self._cancelled:
            return
        self._cancelled = True
        for task in list(self._tasks):
            task.cancel()

    def _emit(self, event: Event) -> None:
        self.record.apply(event)
        self._history.append(event)
        for queue in self._subscribers:
            queue.put_nowait(event)
        if self._waiters and isinstance(event, (InputRequested, RunFinished)):
            for ready, future in list(self._waiters):
                if not future.done() and ready():
                    future.set_result(None)
                    self._waiters.remove((ready, future))

    async def _run(self) -> None:
        self._started_at = time.perf_counter()
        self._emit(
            RunStarted(
                run_id=self.id,
                workflow_id=self.workflow.id,
                workflow_name=self.workflow.name,
                input=self.inputs,
                variables=self.variables,
                start_nodes=[n.key for n in self.starts],
            )
        )
        first = start_value(self.inputs)
        for node in self.starts:
            self._schedule(node, first, None, is_start=True)
        await self._idle.wait()
        self._finish()

    def _finish(self) -> None:
        if self._failure is not None:
            status, error = "FAILED", str(self._failure)
        elif self._cancelled:
            status, error = "STOPPED", None
        else:
            status, error = "FINISHED", None
        results = list(self.record.results)
        output = results[-1] if results else self._last_end
        self._emit(
            RunFinished(
                run_id=self.id,
                status=status,
                results=results,
                output=output,
                total_time=time.perf_counter() - self._started_at,
                total_tokens=self.record.total_tokens,
                total_steps=self.record.total_steps,
                credits=self.record.credits,
                error=error,
            )
        )

    def _schedule(self, node: Node, value: Any, source_run_id: str | None, *, is_start: bool = False) -> None:
        if self._failure is not None or self._cancelled:
            return
        if self._steps >= self.max_node_runs:
            self._fail(
                RunLimitError(
                    f"the run reached max_node_runs ({self.max_node_runs} node runs) before {node.key!r} "
                    f"could run "
                    f"again: a cycle keeps going. Give the cycle an exit, or raise settings.max_node_runs",
                    node=node.name,
                )
            )
            return
        step = self._steps
        self._steps += 1
        task = asyncio.get_running_loop().create_task(
            self._node_run(node, value, source_run_id, is_start, step)
        )
        self._tasks.add(task)
        self._idle.clear()
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self._fail(RunError(f"internal error in the runner: {task.exception()!r}"))
        if not self._tasks:
            self._idle.set()

    def _fail(self, error: RunError) -> None:
        if self._failure is not None:
            return
        self._failure = error
        self._emit(
            ErrorEvent(run_id=self.id, message=str(error), kind=type(error).__name__, node_key=error.node)
        )
        for task in list(self._tasks):
            if task is not asyncio.current_task():
                task.cancel()
        if not self._tasks:
            self._idle.set()

    def _config(self, node: Node, variables: dict[str, Any]) -> NodeConfig:
        templated = self._templated.get(node.id)
        if templated is None:
            templated = any(has_template(text) for _, text in config_texts(node))
            self._templated[node.id] = templated
        if not templated:
            return node.config
        raw_fields = set(node.node_type.raw_fields)
        data = _render_texts(node.config.model_dump(), variables, raw_fields, "")
        return node.config.model_validate(data)

    async def _node_run(
        self, node: Node, value: Any, source_run_id: str | None, is_start: bool, step: int
    ) -> None:
        run_id = new_id()
        index = self._index[node.key]
        self._index[node.key] += 1
        began = time.perf_counter()
        self._emit(
            NodeStarted(
                **self._about(node, run_id, index),
                step=step,
                input=value,
                start_node=is_start,
                source_run_id=source_run_id,
                config=node.config.model_dump(mode="json"),
            )
        )
        status = "FINISHED"
        try:
            variables = scope(self.workflow, self.record, value, self.variables, self.inputs)
            context: NodeContext[Any] = NodeContext(
                node=node,
                workflow=self.workflow,
                config=self._config(node, variables),
                input=value,
                is_start=is_start,
                run_variables=self.variables,
                model_name=getattr(node.config, "model", None) or self.workflow.settings.model,
                _chat=self.llm,
                _emit_token=lambda content, reasoning: self._emit(
                    Token(
                        run_id=self.id,
                        node_run_id=run_id,
                        node_key=node.key,
                        content=content,
                        reasoning=reasoning,
                    )
                ),
                _ask=lambda prompt, placeholder: self._ask_text(node, run_id, prompt, placeholder),
                _data=self.data,
            )
            outcome: Outcome = await node.node_type.run(context)
            if not node.auto_continue and node.type != "text_input":
                outcome = await self._approval(node, run_id, outcome)
        except asyncio.CancelledError:
            self._emit(
                self._finished(node, run_id, index, began, "STOPPED", None, Outcome(None, [], "stopped"))
            )
            raise
        except FlowError as error:
            outcome, status = _failed(node, str(error)), "FAILED"
        except Exception as error:  # a node's own bug or a library's: the node fails, the run reports it
            outcome, status = _failed(node, f"{type(error).__name__}: {error}"), "FAILED"
        passed = value if node.pass_input_as_result and status == "FINISHED" else outcome.result
        if status == "FAILED":
            passed = value
        targets = [r for r in self.workflow.relations_from(node) if r.condition in outcome.met]
        finished = self._finished(
            node, run_id, index, began, status, passed, outcome, [r.id for r in targets]
        )
        shown = (
            status == "FINISHED"
            and node.display_result
            and bool(outcome.met)
            and not node.node_type.shows_input
        )
        self._emit(finished.model_copy(update={"displayed": True}) if shown else finished)
        if not targets:
            self._last_end = passed
            if status == "FAILED":
                self._fail(
                    NodeRunError(
                        f"node {node.key!r} failed: {outcome.message}. "
                        f"(A relation on its 'error' condition would handle this.)",
                        node=node.name,
                    )
                )
                return
        for relation in targets:
            self._schedule(self.workflow[relation.target], passed, run_id)

    def _about(self, node: Node, run_id: str, index: int) -> dict[str, Any]:
        """What every event about one node run says: which run, node run, node and index."""
        return {
            "run_id": self.id,
            "node_run_id": run_id,
            "node_id": node.id,
            "node_key": node.key,
            "node_name": node.name,
            "node_type": node.type,
            "index": index,
        }

    def _finished(
        self,
        node: Node,
        run_id: str,
        index: int,
        began: float,
        status: str,
        result: Any,
        outcome: Outcome,
        fired: list[str] | None = None,
    ) -> NodeFinished:
        return NodeFinished(
            **self._about(node, run_id, index),
            status=status,
            result=result,
            message=outcome.message,
            met=[
                ConditionRef(id=c.id, system_name=c.system_name, display_name=c.display_name)
                for c in outcome.met
            ],
            fired=fired or [],
            elapsed=time.perf_counter() - began,
            usage=outcome.usage,
            credits=outcome.credits,
            sources=outcome.sources,
        )

    async def _request(self, request: InputRequested) -> tuple[Action, Any]:
        future: asyncio.Future[tuple[Action, Any]] = asyncio.get_running_loop().create_future()
        self._pending[request.request_id] = (request, future)
        self._emit(request)
        try:
            return await future
        finally:
            self._pending.pop(request.request_id, None)

    async def _ask_text(self, node: Node, run_id: str, prompt: str | None, placeholder: str | None) -> str:
        _, value = await self._request(
            InputRequested(
                run_id=self.id,
                request_id=new_id(),
                kind="text",
                node_run_id=run_id,
                node_key=node.key,
                node_name=node.name,
                prompt=prompt,
                placeholder=placeholder,
            )
        )
        return str(value)

    async def _approval(self, node: Node, run_id: str, outcome: Outcome) -> Outcome:
        shown = outcome.result
        action, value = await self._request(
            InputRequested(
                run_id=self.id,
                request_id=new_id(),
                kind="approval",
                node_run_id=run_id,
                node_key=node.key,
                node_name=node.name,
                result=shown,
            )
        )
        if action == "reject":
            outcome.met, outcome.message = [], "rejected by a person"
        elif action == "edit":
            outcome.result, outcome.message = value, "edited by a person"
        return outcome


def _failed(node: Node, message: str) -> Outcome:
    """A failed node run meets its type's failure conditions and the universal ``error``."""
    met = [node.resolve_condition(name) for name in node.node_type.failure_conditions]
    return Outcome(None, [*met, ERROR], message)


def _render_texts(data: Any, variables: dict[str, Any], raw: set[str], field: str) -> Any:
    if isinstance(data, str):
        return render(data, variables, field=field or "text")
    if isinstance(data, dict):
        return {
            k: v
            if (not field and (k in raw or k == "model"))
            else _render_texts(v, variables, raw, f"{field}.{k}".lstrip("."))
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [_render_texts(item, variables, raw, f"{field}[{i}]") for i, item in enumerate(data)]
    return data
